import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { waitFor } from '@dunning/testing';
import { createTopic, deleteTopic, readWholeTopic, testKafka, TestKafkaPublisher } from '../test-support/kafka';
import { dropSchema, freshEventStoreSchema, randomSuffix, testPool, waitForLogHorizon } from '../test-support/postgres';
import { EventStore } from './event-store';
import { Outbox } from './outbox';
import { OutboxRelay, type OutboxPublisher, type OutboxRecord } from './outbox-relay';

let pool: Pool;
let kafka: Kafka;
let publisher: TestKafkaPublisher;
let schema: string;
let topic: string;
let store: EventStore;

beforeAll(async () => {
  pool = await testPool(8);
  kafka = testKafka('event-store-relay-test');
});
afterAll(async () => {
  await pool.end();
});
beforeEach(async () => {
  schema = await freshEventStoreSchema(pool);
  store = new EventStore({ schema });
  topic = `es-relay-${randomSuffix()}`;
  await createTopic(kafka, topic, 3);
  // One producer per test: a producer keeps refreshing metadata of every topic it ever wrote to.
  publisher = new TestKafkaPublisher(kafka);
});
afterEach(async () => {
  await publisher.disconnect();
  await dropSchema(pool, schema);
  await deleteTopic(kafka, topic);
});

async function unpublished(): Promise<number> {
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".outbox WHERE published_at IS NULL`);
  return rows[0].n;
}

async function appendWithMessage(streamId: string, version: number, key: string): Promise<string> {
  const messageId = `${streamId}-${version + 1}`;
  await store.append(pool, streamId, version, [{ type: 'Happened', data: { n: version + 1 } }], {
    outbox: [{ topic, key, messageId, value: JSON.stringify({ streamId, version: version + 1 }), headers: { ce_type: 'test.happened' } }],
  });
  return messageId;
}

describe('OutboxRelay', () => {
  it('polls an empty outbox with one statement and no pass (no transaction, no lock), and still publishes a row committed later', async () => {
    const statements: string[] = [];
    // pg's Pool.query(text, values) runs one statement on a pooled client; passes go through pool.connect().
    const counting = Object.assign(Object.create(pool) as Pool, {
      query: (text: string, values?: unknown[]) => {
        statements.push(text);
        return pool.query(text, values);
      },
    });
    const relay = new OutboxRelay({ pool: counting, schema, publisher, pollIntervalMs: 10 });
    relay.start();
    try {
      await waitFor(() => statements.length >= 5, { description: 'five idle polls' });
      expect(relay.stats.passes).toBe(0);
      expect(statements.every((text) => text.includes('SELECT EXISTS') && text.includes('published_at IS NULL'))).toBe(true);

      const id = await appendWithMessage('stream-late', 0, 'late');
      await waitFor(async () => (await unpublished()) === 0, { description: 'the late row published' });
      expect(relay.stats.passes).toBeGreaterThanOrEqual(1);
      expect((await readWholeTopic(kafka, topic)).map((m) => m.headers['ce_id'])).toEqual([id]);
    } finally {
      await relay.stop();
    }
  });

  it('publishes a woken batch in three round trips (opening, read, marks with COMMIT) and no idle probe', async () => {
    const roundTrips: string[] = [];
    const counting = Object.assign(Object.create(pool) as Pool, {
      query: (text: string, values?: unknown[]) => {
        roundTrips.push(text);
        return pool.query(text, values);
      },
      connect: async () => {
        const client = await pool.connect();
        const query = client.query.bind(client) as (...args: unknown[]) => unknown;
        return Object.assign(Object.create(client) as typeof client, { query: (...args: unknown[]) => (roundTrips.push(String(args[0])), query(...args)) });
      },
    });
    const at = new Date('2026-05-02T10:00:00.000Z');
    // A poll interval far beyond the test: only the wake-up can start the pass.
    const relay = new OutboxRelay({ pool: counting, schema, publisher, pollIntervalMs: 600_000, clock: () => at });
    relay.start();
    try {
      await waitFor(() => roundTrips.length >= 1, { description: 'the first idle poll' });
      roundTrips.length = 0;
      const ids = [await appendWithMessage('stream-woken', 0, 'k'), await appendWithMessage('stream-woken', 1, 'k')];
      relay.wake();
      await waitFor(async () => (await unpublished()) === 0, { description: 'the woken batch published' });
      await waitFor(() => relay.stats.passes === 1, { description: 'the pass counted' });
      expect(roundTrips).toHaveLength(3);
      expect(roundTrips[0]).toMatch(/^BEGIN[\s\S]*pg_try_advisory_xact_lock/);
      expect(roundTrips[2]).toMatch(/^UPDATE[\s\S]*COMMIT$/);
      expect((await readWholeTopic(kafka, topic)).map((m) => m.headers['ce_id'])).toEqual(ids);
      const { rows } = await pool.query(`SELECT DISTINCT published_at FROM "${schema}".outbox`);
      expect(rows.map((row: { published_at: Date }) => row.published_at.toISOString())).toEqual([at.toISOString()]);
    } finally {
      await relay.stop();
    }
  });

  it('keeps a wake-up that comes during a pass: a row committed while the pass publishes goes out without waiting for the poll', async () => {
    let releaseFirst: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    let publishes = 0;
    const holdingFirst: OutboxPublisher = {
      publish: async (records) => {
        publishes += 1;
        if (publishes === 1) await firstHeld;
        await publisher.publish(records);
      },
    };
    // A poll interval far beyond the test: only a kept wake-up can publish the second row in time.
    const relay = new OutboxRelay({ pool, schema, publisher: holdingFirst, pollIntervalMs: 600_000 });
    const first = await appendWithMessage('stream-during', 0, 'k');
    relay.start();
    try {
      await waitFor(() => publishes === 1, { description: 'the first pass publishing' });
      const second = await appendWithMessage('stream-during', 1, 'k');
      relay.wake();
      releaseFirst();
      await waitFor(async () => (await unpublished()) === 0, { description: 'the second row published after the kept wake-up', timeoutMs: 10_000 });
      expect((await readWholeTopic(kafka, topic)).map((m) => m.headers['ce_id'])).toEqual([first, second]);
    } finally {
      releaseFirst();
      await relay.stop();
    }
  });

  it('publishes committed rows in log order per key with their id header, marks them, and waits for a slow transaction', async () => {
    const at = new Date('2026-04-01T00:00:00.000Z');
    const relay = new OutboxRelay({ pool, schema, publisher, batchSize: 4, clock: () => at });
    const expected: string[] = [];
    for (let v = 0; v < 3; v++) for (const key of ['a', 'b']) expected.push(await appendWithMessage(`stream-${key}`, v, key));

    // A transaction that wrote a row and stays open holds back everything written after it.
    const slow = await pool.connect();
    let afterSlow: string;
    try {
      await slow.query('BEGIN');
      const slowAppend = await store.append(slow, 'stream-c', 'no-stream', [{ type: 'Happened', data: {} }], { outbox: [{ topic, key: 'c', messageId: 'stream-c-1', value: '{}' }] });
      afterSlow = await appendWithMessage('stream-a', 3, 'a');
      await waitForLogHorizon(pool, slowAppend.firstPosition.transactionId); // only the slow one still open

      expect(await relay.runOnce()).toEqual({ outcome: 'published', published: 4 });
      expect(await relay.runOnce()).toEqual({ outcome: 'published', published: 2 });
      expect(await relay.runOnce()).toEqual({ outcome: 'idle', published: 0 });
      expect(await unpublished()).toBe(1); // committed after the slow transaction began: held back
      await slow.query('COMMIT');
    } finally {
      slow.release(true);
    }
    await waitForLogHorizon(pool);
    expect(await relay.runOnce()).toEqual({ outcome: 'published', published: 2 });
    expect(await unpublished()).toBe(0);
    const { rows } = await pool.query(`SELECT DISTINCT published_at FROM "${schema}".outbox`);
    expect(rows).toEqual([{ published_at: at }]);
    // Published rows can be pruned in bounded steps; nothing newer goes.
    const outbox = new Outbox({ schema });
    expect(await outbox.deletePublished(pool, { publishedBefore: at })).toBe(0);
    expect(await outbox.deletePublished(pool, { publishedBefore: new Date(at.getTime() + 1), limit: 5 })).toBe(5);
    expect(await outbox.deletePublished(pool, { publishedBefore: new Date(at.getTime() + 1) })).toBe(3);

    const messages = await readWholeTopic(kafka, topic);
    expect(messages.map((m) => m.headers['ce_id']).sort()).toEqual([...expected, 'stream-c-1', afterSlow].sort());
    for (const key of ['a', 'b']) {
      const ids = messages.filter((m) => m.key === key).map((m) => m.headers['ce_id']);
      expect(ids).toEqual(expected.filter((id) => id.startsWith(`stream-${key}`)).concat(key === 'a' ? [afterSlow] : []));
    }
    expect(messages.find((m) => m.headers['ce_id'] === 'stream-a-1')).toMatchObject({ value: JSON.stringify({ streamId: 'stream-a', version: 1 }), headers: { ce_type: 'test.happened' } });
  });

  it('leaves the rows of a failed publish for the next pass', async () => {
    await appendWithMessage('s', 0, 'k');
    await waitForLogHorizon(pool);
    let failNext = true;
    const flaky: OutboxPublisher = {
      publish: async (records) => {
        if (failNext) {
          failNext = false;
          throw new Error('broker unavailable');
        }
        await publisher.publish(records);
      },
    };
    const relay = new OutboxRelay({ pool, schema, publisher: flaky });
    await expect(relay.runOnce()).rejects.toThrow('broker unavailable');
    expect(await unpublished()).toBe(1);
    expect(await relay.runOnce()).toEqual({ outcome: 'published', published: 1 });
    expect((await readWholeTopic(kafka, topic)).map((m) => m.headers['ce_id'])).toEqual(['s-1']);
  });

  it('lets only one of two running relays publish at a time, and together they publish everything once', async () => {
    const streams = 20;
    const perStream = 15;
    let inFlight = 0;
    let maxInFlight = 0;
    const published: OutboxRecord[] = [];
    const watched = (): OutboxPublisher => ({
      publish: async (records) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          await publisher.publish(records);
          published.push(...records);
        } finally {
          inFlight--;
        }
      },
    });
    const relays = [1, 2].map(() => new OutboxRelay({ pool, schema, publisher: watched(), batchSize: 10, pollIntervalMs: 5, onError: () => undefined }));
    relays.forEach((relay) => relay.start());
    const appenders = Array.from({ length: streams }, async (_, s) => {
      for (let v = 0; v < perStream; v++) await appendWithMessage(`s${s}`, v, `k${s % 7}`);
    });
    await Promise.all(appenders);
    await waitFor(async () => (await unpublished()) === 0, { timeoutMs: 60_000, description: 'all rows published' });
    await Promise.all(relays.map((relay) => relay.stop()));

    expect(maxInFlight).toBe(1);
    expect(published).toHaveLength(streams * perStream);
    expect(new Set(published.map((r) => r.headers['ce_id'])).size).toBe(streams * perStream);
    expect(relays[0]!.stats.published + relays[1]!.stats.published).toBe(streams * perStream);
    // Per key, the topic holds each stream's messages in version order.
    const onTopic = await readWholeTopic(kafka, topic);
    expect(onTopic).toHaveLength(streams * perStream);
    for (let s = 0; s < streams; s++) {
      const versions = onTopic.filter((m) => m.headers['ce_id']!.startsWith(`s${s}-`)).map((m) => Number(m.headers['ce_id']!.split('-')[1]));
      expect(versions).toEqual(Array.from({ length: perStream }, (_, i) => i + 1));
    }
  });
});
