import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { Client, Pool, type PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { EventStore } from '@dunning/event-store';
import type { ConsumedEvent, SqlClient, SqlPool } from '@dunning/messaging';
import { createDatabase, dropDatabase, postgresDatabaseUrl, uniqueName, waitFor } from '@dunning/testing';
import { CaseProcessor } from '../cases/case-processor';
import { caseProjector, inputDecoder } from '../cases/case-projector';
import { DunningGateway } from '../cases/dunning-gateway';
import type { OrchestratorInputEvent } from '../cases/input-mapping';
import { DateHolidaysCalendar, parsePolicy } from '../domain';
import { migrations } from '../migrations';
import { invoiceDisputed, invoiceOpened, paidInFull, scoreComputed, type InputRecord } from '../test-support/orchestrator-inputs';
import { observedPool } from '../test-support/observed-pool';
import { repoRoot } from '../test-support/orchestrator-process';
import { TimerPoller } from './timer-poller';

/**
 * A timer firing and the consumer take a case's locks in the same order, case row before its
 * timers, so they cannot deadlock (before, the firing locked its timer and then the case, while
 * the consumer locked the case and then its timers: PostgreSQL aborted one of them with 40P01).
 *
 * The consumer's transaction takes in a payment that closes the case (which cancels the case's due
 * timer) and is held just after it loaded (locked) the case. The poller then tries to fire that
 * timer: it must wait for the case row without holding the timer's row, so when the consumer goes
 * on and cancels the timer, nothing deadlocks; the poller then finds the timer cancelled and fires
 * nothing. Real PostgreSQL, a fresh database.
 *
 * And a consumer that had to wait for a case row reads the customer's cases again once it holds
 * the lock (its load statement's snapshot predates the other writer's commit).
 */
const database = `dunning_${uniqueName('orch-lock-order').replace(/-/g, '_')}`;
const databaseUrl = postgresDatabaseUrl(database);
const topics = { invoices: 'lo-invoices', scores: 'lo-scores', deliveries: 'lo-deliveries', collectionCases: 'lo-collection', actions: 'lo-actions' };

describe('case row locking of timer firings and the consumer (real database)', () => {
  const db = new Client({ connectionString: databaseUrl });
  let consumerPool: Pool;
  let pollerPool: Pool;
  let processor: CaseProcessor;
  let now = new Date('2026-03-01T10:00:00Z');
  const clock = { now: () => now };

  beforeAll(async () => {
    await createDatabase(database);
    const source = new DataSource({ type: 'postgres', url: databaseUrl, migrations, logging: false });
    await source.initialize();
    await source.runMigrations({ transaction: 'each' });
    await source.destroy();
    await db.connect();
    consumerPool = new Pool({ connectionString: databaseUrl, max: 2, application_name: 'it-consumer' });
    pollerPool = new Pool({ connectionString: databaseUrl, max: 2, application_name: 'it-poller' });
    const policy = parsePolicy(readFileSync(path.join(repoRoot, 'apps/dunning-orchestrator/policies/main-job.yaml'), 'utf8'));
    processor = new CaseProcessor({ eventStore: new EventStore({ schema: 'orchestrator' }), schema: 'orchestrator', gateway: new DunningGateway(topics.actions), policy, calendar: new DateHolidaysCalendar() });
  });

  afterAll(async () => {
    await consumerPool?.end();
    await pollerPool?.end();
    await db.end();
    await dropDatabase(database);
  });

  const decode = inputDecoder(topics);
  let offset = 0;
  const consumed = (record: InputRecord, topic = topics.invoices): ConsumedEvent<OrchestratorInputEvent> => {
    const kafkaRecord = { topic, partition: 0, offset: String(offset++), key: record.key, value: record.value, headers: record.headers as Record<string, string>, timestamp: '0' };
    const decoded = decode(kafkaRecord);
    if (!decoded.ok || !('value' in decoded)) throw new Error('test record did not decode');
    return { ...kafkaRecord, value: decoded.value, traceContext: ROOT_CONTEXT };
  };
  const batchContext = { mode: 'live' as const, groupId: 'it', topic: topics.invoices, partition: 0, heartbeat: async () => undefined };

  /** A pool that remembers the PostgreSQL error codes its statements failed with. */
  const recording = (pool: Pool, codes: string[]): SqlPool =>
    observedPool(pool, async (_text, run) => {
      try {
        return await run();
      } catch (error) {
        codes.push(String((error as { code?: unknown }).code));
        throw error;
      }
    });

  it('lets a firing wait for the case without holding its timer, so the consumer cancels the timer and nothing deadlocks', async () => {
    // A case with a pending timer, then the clock at that timer's time.
    const opening = await consumerPool.connect();
    try {
      await opening.query('BEGIN');
      await caseProjector(processor, clock)([consumed(invoiceOpened(1))], opening, batchContext);
      await opening.query('COMMIT');
    } finally {
      opening.release();
    }
    const timer = (await db.query<{ timer_id: string; fire_at: Date }>(`SELECT timer_id, fire_at FROM orchestrator.timers WHERE status = 'pending'`)).rows;
    expect(timer).toHaveLength(1);
    now = timer[0]!.fire_at;

    // The consumer takes in the payment and stops right after loading (locking) the case.
    let reachedAppend: () => void = () => undefined;
    const appendReached = new Promise<void>((resolve) => (reachedAppend = resolve));
    let releaseAppend: () => void = () => undefined;
    const appendReleased = new Promise<void>((resolve) => (releaseAppend = resolve));
    const consumerCodes: string[] = [];
    const client: PoolClient = await consumerPool.connect();
    const held: SqlClient = {
      query: (async (text: string, values?: unknown[]) => {
        if (text.includes('ordered_keys')) {
          reachedAppend();
          await appendReleased;
        }
        try {
          return await client.query(text, values);
        } catch (error) {
          consumerCodes.push(String((error as { code?: unknown }).code));
          throw error;
        }
      }) as SqlClient['query'],
    };
    let consumerDone: Promise<void> = Promise.resolve();
    let firing: Promise<number> = Promise.resolve(0);
    const pollerCodes: string[] = [];
    try {
      await client.query('BEGIN');
      consumerDone = caseProjector(processor, clock)([consumed(paidInFull(1, now.toISOString()))], held, batchContext).then(() => undefined);
      await appendReached;

      // The firing now waits for the case row ...
      firing = new TimerPoller({ pool: recording(pollerPool, pollerCodes), processor, clock, schema: 'orchestrator', intervalMs: 600_000 }).fireDue();
      await waitFor(
        async () => (await db.query(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'it-poller' AND wait_event_type = 'Lock'`, [database])).rows.length === 1,
        { timeoutMs: 10_000, intervalMs: 10, description: 'the firing waits for a lock' },
      );
      // ... without holding the timer's row: another transaction can lock it at once.
      await db.query('BEGIN');
      await expect(db.query(`SELECT 1 FROM orchestrator.timers WHERE timer_id = $1 FOR UPDATE NOWAIT`, [timer[0]!.timer_id])).resolves.toMatchObject({ rowCount: 1 });
      await db.query('ROLLBACK');

      // The consumer goes on: the case closes, its timer is cancelled, the transaction commits.
      releaseAppend();
      await consumerDone;
      await client.query('COMMIT');
    } finally {
      releaseAppend();
      await consumerDone.catch(() => undefined);
      client.release();
    }
    await expect(firing).resolves.toBe(0);

    expect(consumerCodes).toEqual([]);
    expect(pollerCodes).toEqual([]); // no 40P01 on either side, not even one that was retried
    const after = (await db.query<{ status: string; fire_count: number }>(`SELECT status, fire_count FROM orchestrator.timers WHERE timer_id = $1`, [timer[0]!.timer_id])).rows[0];
    expect(after).toEqual({ status: 'cancelled', fire_count: 0 });
    const caseRow = (await db.query<{ status: string }>(`SELECT status FROM orchestrator.cases WHERE case_id = (SELECT case_id FROM orchestrator.timers WHERE timer_id = $1)`, [timer[0]!.timer_id])).rows;
    expect(caseRow).toEqual([{ status: 'closed' }]);
  });

  it('reads the customer again when its load waited for another writer of the case', async () => {
    const run = async (pool: Pool, record: InputRecord, topic: string, statements: string[], hold?: { reached: () => void; released: Promise<void> }) => {
      const client = await pool.connect();
      const tx: SqlClient = {
        query: (async (text: string, values?: unknown[]) => {
          if (hold && text.includes('ordered_keys')) {
            hold.reached();
            await hold.released;
          }
          statements.push(text);
          return client.query(text, values);
        }) as SqlClient['query'],
      };
      try {
        await client.query('BEGIN');
        await caseProjector(processor, clock)([consumed(record, topic)], tx, batchContext);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    };
    now = new Date('2026-03-02T10:00:00Z');
    await run(consumerPool, invoiceOpened(2), topics.invoices, []);

    let reached: () => void = () => undefined;
    const appendReached = new Promise<void>((resolve) => (reached = resolve));
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const first: string[] = [];
    const second: string[] = [];
    const waiterPool = new Pool({ connectionString: databaseUrl, max: 1, application_name: 'it-waiter' });
    try {
      const holding = run(consumerPool, scoreComputed(2), topics.scores, first, { reached, released });
      await Promise.race([appendReached, holding]);
      const waiting = run(waiterPool, invoiceDisputed(2, now.toISOString()), topics.invoices, second);
      await waitFor(
        async () => (await db.query(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'it-waiter' AND wait_event_type = 'Lock'`, [database])).rows.length === 1,
        { timeoutMs: 10_000, intervalMs: 10, description: 'the second input waits for the case row' },
      );
      release();
      await holding;
      await waiting;
    } finally {
      release();
      await waiterPool.end();
    }
    const reRead = (statements: string[]) => statements.filter((text) => text.trim().startsWith('SELECT (SELECT coalesce(jsonb_agg')).length;
    expect(reRead(first)).toBe(0);
    expect(reRead(second)).toBe(1);
    const types = (await db.query<{ event_type: string }>(`SELECT event_type FROM orchestrator.events WHERE stream_id = 'dunning-case-invoice-2' ORDER BY stream_version`)).rows.map((row) => row.event_type);
    expect(types).toEqual(expect.arrayContaining(['InvoiceIssued', 'ScoreReceived', 'InvoiceDisputed']));
  });
});
