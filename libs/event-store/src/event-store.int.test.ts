import fc from 'fast-check';
import type { Pool, PoolClient } from 'pg';
import { dropSchema, freshEventStoreSchema, testPool, waitForLogHorizon } from '../test-support/postgres';
import { StreamVersionConflictError, TransactionOrderConflictError } from './errors';
import { EventStore, type ExpectedVersion } from './event-store';
import { Inbox } from './inbox';
import { compareLogPositions, LOG_START, type LogPosition } from './log-position';
import { Outbox } from './outbox';
import { withTransaction } from './sql-client';

let pool: Pool;
let schema: string;
let store: EventStore;

beforeAll(async () => {
  pool = await testPool(6);
});
afterAll(async () => {
  await pool.end();
});
beforeEach(async () => {
  schema = await freshEventStoreSchema(pool);
  store = new EventStore({ schema });
});
afterEach(async () => {
  await dropSchema(pool, schema);
});

/** Opens a transaction on its own connection and keeps it open until the test ends it. */
async function openTransaction(): Promise<{ client: PoolClient; end: (how: 'COMMIT' | 'ROLLBACK') => Promise<void> }> {
  const client = await pool.connect();
  await client.query('BEGIN');
  return {
    client,
    end: async (how) => {
      try {
        await client.query(how);
      } finally {
        client.release();
      }
    },
  };
}

/** The whole log as readAll serves it, once the horizon has passed every transaction so far (or `horizon`). */
async function readWholeLog(horizon?: bigint): Promise<{ streamId: string; streamVersion: number; position: LogPosition; type: string }[]> {
  await waitForLogHorizon(pool, horizon);
  const all: { streamId: string; streamVersion: number; position: LogPosition; type: string }[] = [];
  let after = LOG_START;
  for (;;) {
    const slice = await store.readAll(pool, { after, limit: 7 });
    if (slice.events.length === 0) return all;
    all.push(...slice.events.map((e) => ({ streamId: e.streamId, streamVersion: e.streamVersion, position: e.position, type: e.type })));
    after = slice.position;
  }
}

describe('EventStore.append and readStream', () => {
  it('numbers a stream from 1, stores data, metadata, ids and the injected time, and reads it back from a version', async () => {
    const at = new Date('2026-03-01T10:00:00.000Z');
    let n = 0;
    const clocked = new EventStore({ schema, clock: () => at, idGenerator: () => `00000000-0000-4000-8000-00000000000${++n}` });
    const first = await clocked.append(pool, 'invoice-1', 'no-stream', [
      { type: 'InvoiceIssued', data: { amount: { minor: 12_500, currency: 'SEK' } }, metadata: { causationId: 'c-1' } },
      { type: 'ReminderScheduled', data: { step: 1 } },
    ]);
    expect(first.nextExpectedVersion).toBe(2);
    const second = await clocked.append(pool, 'invoice-1', 2, [{ type: 'PaymentReceived', data: { amount: { minor: 12_500, currency: 'SEK' } }, eventId: '9b2f6c64-8f0e-4f7b-9a53-0d1f3b0b6c11' }]);
    expect(second.nextExpectedVersion).toBe(3);
    expect(compareLogPositions(second.firstPosition, first.lastPosition)).toBe(1);

    const whole = await clocked.readStream(pool, 'invoice-1');
    expect(whole.version).toBe(3);
    expect(whole.events.map((e) => [e.streamVersion, e.type, e.eventId])).toEqual([
      [1, 'InvoiceIssued', '00000000-0000-4000-8000-000000000001'],
      [2, 'ReminderScheduled', '00000000-0000-4000-8000-000000000002'],
      [3, 'PaymentReceived', '9b2f6c64-8f0e-4f7b-9a53-0d1f3b0b6c11'],
    ]);
    expect(whole.events[0]!.data).toEqual({ amount: { minor: 12_500, currency: 'SEK' } });
    expect(whole.events[0]!.metadata).toEqual({ causationId: 'c-1' });
    expect(whole.events[0]!.recordedAt.toISOString()).toBe(at.toISOString());

    const tail = await clocked.readStream(pool, 'invoice-1', { fromVersion: 2, maxCount: 1 });
    expect(tail.version).toBe(3);
    expect(tail.events.map((e) => e.streamVersion)).toEqual([2]);

    const missing = await clocked.readStream(pool, 'invoice-404');
    expect(missing).toEqual({ streamId: 'invoice-404', version: 0, events: [] });
    await expect(clocked.append(pool, 'invoice-1', 3, [{ type: 'X', data: {}, eventId: 'not-a-uuid' }])).rejects.toThrow(/eventId must be a UUID/);
    await expect(clocked.append(pool, 'invoice-1', 3, [])).rejects.toThrow(/Nothing to append/);
  });

  it('rejects a wrong expected version with the stream, the expectation and the actual version, and writes nothing', async () => {
    await store.append(pool, 's', 'no-stream', [{ type: 'A', data: {} }]);
    const cases: [ExpectedVersion, number][] = [
      ['no-stream', 1],
      [0, 1],
      [2, 1],
    ];
    for (const [expected, actual] of cases) {
      const error = await store.append(pool, 's', expected, [{ type: 'B', data: {} }], { outbox: [{ topic: 't', key: 'k', messageId: `m-${String(expected)}`, value: '{}' }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StreamVersionConflictError);
      expect(error).toMatchObject({ streamId: 's', expected, actual });
    }
    await expect(store.append(pool, 'absent', 3, [{ type: 'A', data: {} }])).rejects.toMatchObject({ name: 'StreamVersionConflictError', actual: 0 });
    const { rows } = await pool.query(`SELECT (SELECT count(*) FROM "${schema}".events)::int AS events, (SELECT count(*) FROM "${schema}".outbox)::int AS outbox`);
    expect(rows[0]).toEqual({ events: 1, outbox: 0 });
  });

  it("appends with 'any' whatever the version", async () => {
    await store.append(pool, 'a', 'any', [{ type: 'A', data: {} }]);
    const result = await store.append(pool, 'a', 'any', [{ type: 'B', data: {} }, { type: 'C', data: {} }]);
    expect(result.nextExpectedVersion).toBe(3);
    expect((await store.readStream(pool, 'a')).events.map((e) => e.type)).toEqual(['A', 'B', 'C']);
  });

  it('leaves the caller’s transaction usable after a version conflict, and rolls back with it', async () => {
    await store.append(pool, 's', 'no-stream', [{ type: 'A', data: {} }]);
    await expect(
      withTransaction(pool, async (client) => {
        await expect(store.append(client, 's', 0, [{ type: 'X', data: {} }])).rejects.toBeInstanceOf(StreamVersionConflictError);
        await store.append(client, 's', 1, [{ type: 'B', data: {} }]);
        throw new Error('abort the unit of work');
      }),
    ).rejects.toThrow('abort the unit of work');
    expect((await store.readStream(pool, 's')).version).toBe(1);
  });

  it('lets exactly one of two writers at the same expected version win, 200 times over', async () => {
    let wins = 0;
    let conflicts = 0;
    for (let i = 0; i < 200; i++) {
      const streamId = `race-${i}`;
      await store.append(pool, streamId, 'no-stream', [{ type: 'Opened', data: {} }]);
      // Both decide on the same state: neither appends before both have read.
      let read = 0;
      let bothRead!: () => void;
      const barrier = new Promise<void>((resolve) => (bothRead = resolve));
      const writers = ['left', 'right'].map((side) =>
        withTransaction(pool, async (client) => {
          const { version } = await store.readStream(client, streamId);
          if (++read === 2) bothRead();
          await barrier;
          return store.append(client, streamId, version, [{ type: `Decided-${side}`, data: {} }], { outbox: [{ topic: 'decisions', key: streamId, messageId: `${streamId}-${side}`, value: side }] });
        }),
      );
      const outcomes = await Promise.allSettled(writers);
      const fulfilled = outcomes.filter((o) => o.status === 'fulfilled');
      const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(fulfilled).toHaveLength(1);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]!.reason).toBeInstanceOf(StreamVersionConflictError);
      expect(rejected[0]!.reason).toMatchObject({ streamId, expected: 1, actual: 2 });
      wins += fulfilled.length;
      conflicts += rejected.length;
    }
    const { rows } = await pool.query(`SELECT count(*)::int AS events, count(DISTINCT stream_id)::int AS streams FROM "${schema}".events`);
    expect(rows[0]).toEqual({ events: 400, streams: 200 });
    const outbox = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".outbox`);
    expect(outbox.rows[0].n).toBe(200);
    expect({ wins, conflicts }).toEqual({ wins: 200, conflicts: 200 });
  });

  it('keeps every stream gapless under random concurrent appends (property)', async () => {
    const command = fc.record({ stream: fc.integer({ min: 0, max: 2 }), events: fc.integer({ min: 1, max: 3 }), mode: fc.constantFrom('read-then-append' as const, 'any' as const) });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 2, maxLength: 24 }), async (commands) => {
        const prefix = `p${run++}`;
        const appended = new Map<string, number>();
        // Five workers at a time, like five consumers of one service; losers re-read and retry.
        const queue = [...commands];
        const worker = async () => {
          for (let next = queue.shift(); next; next = queue.shift()) {
            const streamId = `${prefix}-s${next.stream}`;
            const events = Array.from({ length: next.events }, (_, i) => ({ type: 'E', data: { i } }));
            for (;;) {
              try {
                await withTransaction(pool, async (client) => {
                  const expected = next.mode === 'any' ? 'any' : (await store.readStream(client, streamId)).version;
                  await store.append(client, streamId, expected, events);
                });
                appended.set(streamId, (appended.get(streamId) ?? 0) + next.events);
                break;
              } catch (error) {
                if (!(error instanceof StreamVersionConflictError || error instanceof TransactionOrderConflictError)) throw error;
              }
            }
          }
        };
        await Promise.all(Array.from({ length: 5 }, worker));
        for (const [streamId, count] of appended) {
          const { version, events } = await store.readStream(pool, streamId);
          expect(version).toBe(count);
          expect(events.map((e) => e.streamVersion)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
        }
        // The global log agrees with every stream's order.
        const log = (await readWholeLog()).filter((e) => e.streamId.startsWith(`${prefix}-`));
        const lastSeen = new Map<string, number>();
        for (const e of log) {
          expect(e.streamVersion).toBe((lastSeen.get(e.streamId) ?? 0) + 1);
          lastSeen.set(e.streamId, e.streamVersion);
        }
        expect(log).toHaveLength([...appended.values()].reduce((a, b) => a + b, 0));
      }),
      { numRuns: 12 },
    );
  });
});

describe('EventStore.readAll', () => {
  it('returns events in (transaction id, position) order, in bounded pages, continuing from a position', async () => {
    for (let i = 0; i < 5; i++) await store.append(pool, `s-${i % 2}`, 'any', [{ type: `E${i}a`, data: {} }, { type: `E${i}b`, data: {} }]);
    const log = await readWholeLog();
    expect(log.map((e) => e.type)).toEqual(['E0a', 'E0b', 'E1a', 'E1b', 'E2a', 'E2b', 'E3a', 'E3b', 'E4a', 'E4b']);
    for (let i = 1; i < log.length; i++) expect(compareLogPositions(log[i - 1]!.position, log[i]!.position)).toBe(-1);
    const page = await store.readAll(pool, { after: log[3]!.position, limit: 2 });
    expect(page.events.map((e) => e.type)).toEqual(['E2a', 'E2b']);
    expect(page.position).toEqual(log[5]!.position);
    const end = await store.readAll(pool, { after: log[9]!.position });
    expect(end).toEqual({ events: [], position: log[9]!.position });
  });

  it('shows nothing from or after a running transaction, then its events in transaction order once it commits', async () => {
    await store.append(pool, 'before', 'no-stream', [{ type: 'Before', data: {} }]);
    const slow = await openTransaction();
    const slowAppend = await store.append(slow.client, 'slow', 'no-stream', [{ type: 'Slow', data: {} }]); // an early global position
    await store.append(pool, 'after', 'no-stream', [{ type: 'After', data: {} }]); // committed, later transaction
    expect((await readWholeLog(slowAppend.firstPosition.transactionId)).map((e) => e.type)).toEqual(['Before']);
    await slow.end('COMMIT');
    expect((await readWholeLog()).map((e) => e.type)).toEqual(['Before', 'Slow', 'After']);
  });
});

describe('log order guard', () => {
  it('refuses to let an older transaction append after a newer one committed to the same stream', async () => {
    const older = await openTransaction();
    await older.client.query('SELECT pg_current_xact_id()'); // e.g. an inbox row written first: the id is taken now
    await store.append(pool, 'contested', 'no-stream', [{ type: 'First', data: {} }]); // a newer transaction commits
    const { version } = await store.readStream(older.client, 'contested');
    expect(version).toBe(1);
    await expect(store.append(older.client, 'contested', version, [{ type: 'Second', data: {} }])).rejects.toBeInstanceOf(TransactionOrderConflictError);
    await older.end('ROLLBACK');
    // The retry gets a newer transaction id and succeeds; the log keeps the stream's order.
    await withTransaction(pool, async (client) => store.append(client, 'contested', 1, [{ type: 'Second', data: {} }]));
    expect((await readWholeLog()).map((e) => `${e.type}@${e.streamVersion}`)).toEqual(['First@1', 'Second@2']);
  });

  it("retries an 'any' append through a pool by itself", async () => {
    const older = await openTransaction();
    await older.client.query('SELECT pg_current_xact_id()');
    await store.append(pool, 'contested', 'any', [{ type: 'First', data: {} }]);
    await expect(store.append(older.client, 'contested', 'any', [{ type: 'Older', data: {} }])).rejects.toBeInstanceOf(TransactionOrderConflictError);
    await older.end('ROLLBACK');
    await store.append(pool, 'contested', 'any', [{ type: 'Second', data: {} }]);
    expect((await readWholeLog()).map((e) => e.type)).toEqual(['First', 'Second']);
  });

  it('refuses an older transaction writing an outbox key a newer one already wrote, whether by append or enqueue', async () => {
    const outbox = new Outbox({ schema });
    const older = await openTransaction();
    await older.client.query('SELECT pg_current_xact_id()');
    await store.append(pool, 'invoice-1', 'no-stream', [{ type: 'Issued', data: {} }], { outbox: [{ topic: 'invoices', key: 'customer-7', messageId: 'm1', value: '{}' }] });
    await expect(
      store.append(older.client, 'invoice-2', 'no-stream', [{ type: 'Issued', data: {} }], { outbox: [{ topic: 'invoices', key: 'customer-7', messageId: 'm2', value: '{}' }] }),
    ).rejects.toBeInstanceOf(TransactionOrderConflictError);
    await older.end('ROLLBACK');

    const olderStill = await openTransaction();
    await olderStill.client.query('SELECT pg_current_xact_id()');
    await outbox.enqueue(pool, [{ topic: 'invoices', key: 'customer-7', messageId: 'm3', value: '{}' }]);
    await expect(outbox.enqueue(olderStill.client, [{ topic: 'invoices', key: 'customer-7', messageId: 'm4', value: '{}' }])).rejects.toBeInstanceOf(TransactionOrderConflictError);
    // Other keys are not held up.
    await outbox.enqueue(olderStill.client, [{ topic: 'invoices', key: 'customer-8', messageId: 'm5', value: '{}' }]);
    await olderStill.end('ROLLBACK');

    const { rows } = await pool.query(`SELECT message_id FROM "${schema}".outbox ORDER BY transaction_id, position`);
    expect(rows.map((r) => r.message_id)).toEqual(['m1', 'm3']);
  });
});

describe('Outbox rows written by append', () => {
  it('stores each message with its key, id, bytes and headers, in the append’s transaction', async () => {
    const at = new Date('2026-03-02T08:00:00.000Z');
    const clocked = new EventStore({ schema, clock: () => at });
    await clocked.append(pool, 'invoice-9', 'no-stream', [{ type: 'Issued', data: {} }], {
      outbox: [
        { topic: 'invoicing.invoices.v1', key: 'customer-1', messageId: 'msg-1', value: Buffer.from([0, 1, 2, 255]), headers: { ce_type: 'invoicing.invoice.issued' } },
        { topic: 'invoicing.invoices.v1', key: null, messageId: 'msg-2', value: 'plain "text"' },
      ],
    });
    const { rows } = await pool.query(`SELECT topic, message_key, message_id, payload, headers, created_at, published_at FROM "${schema}".outbox ORDER BY position`);
    expect(rows).toEqual([
      { topic: 'invoicing.invoices.v1', message_key: 'customer-1', message_id: 'msg-1', payload: Buffer.from([0, 1, 2, 255]), headers: { ce_type: 'invoicing.invoice.issued' }, created_at: at, published_at: null },
      { topic: 'invoicing.invoices.v1', message_key: null, message_id: 'msg-2', payload: Buffer.from('plain "text"'), headers: {}, created_at: at, published_at: null },
    ]);
    const tx = await pool.query(`SELECT (SELECT array_agg(DISTINCT transaction_id::text) FROM "${schema}".events) AS e, (SELECT array_agg(DISTINCT transaction_id::text) FROM "${schema}".outbox) AS o`);
    expect(tx.rows[0].e).toEqual(tx.rows[0].o);
  });
});

describe('Inbox', () => {
  it('returns only ids not yet processed by that consumer, once each, and forgets them on rollback', async () => {
    const inbox = new Inbox({ schema });
    expect(await inbox.markProcessed(pool, 'notifier', ['a', 'b', 'a'])).toEqual(['a', 'b']);
    expect(await inbox.markProcessed(pool, 'notifier', ['b', 'c'])).toEqual(['c']);
    expect(await inbox.markProcessed(pool, 'collection', ['a'])).toEqual(['a']);
    await expect(
      withTransaction(pool, async (client) => {
        expect(await inbox.markProcessed(client, 'notifier', ['d'])).toEqual(['d']);
        throw new Error('effect failed');
      }),
    ).rejects.toThrow('effect failed');
    expect(await inbox.markProcessed(pool, 'notifier', ['d'])).toEqual(['d']);
  });

  it('lets only one of two concurrent transactions claim the same id', async () => {
    const inbox = new Inbox({ schema });
    const first = await openTransaction();
    expect(await inbox.markProcessed(first.client, 'notifier', ['x'])).toEqual(['x']);
    const second = withTransaction(pool, (client) => inbox.markProcessed(client, 'notifier', ['x'])); // waits for `first`
    await first.end('COMMIT');
    expect(await second).toEqual([]);
  });
});
