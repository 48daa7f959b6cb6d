import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { waitFor } from '@dunning/testing';
import { createTopic, deleteTopic, readWholeTopic, testKafka, TestKafkaPublisher } from '../test-support/kafka';
import { dropSchema, freshEventStoreSchema, randomSuffix, testPool, waitForLogHorizon } from '../test-support/postgres';
import { EventStore, type RecordedEvent } from './event-store';
import { LOG_START } from './log-position';
import { OutboxRelay } from './outbox-relay';

/**
 * The gap test: many writers commit while one transaction that took an early global position
 * stays open. Neither the relay nor a readAll projection may skip the slow transaction's rows.
 * A naive reader (global_position cursor, no horizon) runs alongside as the control: it must
 * skip them, or this test would not be testing anything.
 */
const APPENDERS = 16;
const MIN_APPENDS_PER_APPENDER = 40;
const HOLD_SLOW_TRANSACTION_MS = 3_000;
const SLOW_EVENTS = 5;

let pool: Pool;
let kafka: Kafka;
let publisher: TestKafkaPublisher;
let schema: string;
let topic: string;

beforeAll(async () => {
  pool = await testPool(APPENDERS + 6);
  kafka = testKafka('event-store-gap-test');
  publisher = new TestKafkaPublisher(kafka);
  schema = await freshEventStoreSchema(pool);
  topic = `es-gap-${randomSuffix()}`;
  await createTopic(kafka, topic, 4);
});
afterAll(async () => {
  await publisher.disconnect();
  await dropSchema(pool, schema);
  await deleteTopic(kafka, topic);
  await pool.end();
});

/** A projection as services build them: a cursor over readAll, applying each event once. */
class CountingProjection {
  position = LOG_START;
  passes = 0;
  readonly seen = new Set<string>();
  readonly lastVersion = new Map<string, number>();
  readonly orderViolations: string[] = [];

  constructor(private readonly store: EventStore) {}

  async poll(): Promise<void> {
    const slice = await this.store.readAll(pool, { after: this.position, limit: 100 });
    for (const event of slice.events) this.apply(event);
    this.position = slice.position;
    this.passes++;
  }

  private apply(event: RecordedEvent): void {
    const previous = this.lastVersion.get(event.streamId) ?? 0;
    if (event.streamVersion !== previous + 1) this.orderViolations.push(`${event.streamId}: ${previous} -> ${event.streamVersion}`);
    this.lastVersion.set(event.streamId, event.streamVersion);
    this.seen.add(event.eventId);
  }
}

/** The control: what a reader ordered by global_position alone would do. */
class NaiveProjection {
  lastPosition = 0n;
  passes = 0;
  readonly seen = new Set<string>();

  async poll(): Promise<void> {
    const { rows } = await pool.query<{ event_id: string; global_position: string }>(
      `SELECT event_id, global_position::text AS global_position FROM "${schema}".events WHERE global_position > $1 ORDER BY global_position LIMIT 100`,
      [this.lastPosition.toString()],
    );
    for (const row of rows) {
      this.seen.add(row.event_id);
      this.lastPosition = BigInt(row.global_position);
    }
    this.passes++;
  }
}

function loop(poll: () => Promise<void>): { stop: () => Promise<void> } {
  let running = true;
  const done = (async () => {
    while (running) {
      await poll();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
    },
  };
}

it('skips nothing from a transaction held open while 16 writers commit around it', async () => {
  const store = new EventStore({ schema });
  const relay = new OutboxRelay({ pool, schema, publisher, batchSize: 50, pollIntervalMs: 10 });
  const projection = new CountingProjection(store);
  const naive = new NaiveProjection();
  relay.start();
  const projecting = loop(() => projection.poll());
  const naiveReading = loop(() => naive.poll());

  const expectedMessageIds: string[] = [];
  let committed = 0;
  let stopWriting = false;
  const appenders = Array.from({ length: APPENDERS }, async (_, a) => {
    const versions = [0, 0, 0];
    for (let i = 0; i < MIN_APPENDS_PER_APPENDER || !stopWriting; i++) {
      const s = i % 3;
      const streamId = `w${a}-s${s}`;
      const messageId = `${streamId}-v${versions[s]! + 1}`;
      await store.append(pool, streamId, versions[s]!, [{ type: 'Written', data: { a, i } }], { outbox: [{ topic, key: streamId, messageId, value: JSON.stringify({ a, i }) }] });
      versions[s]!++;
      expectedMessageIds.push(messageId);
      committed++;
    }
  });

  // The slow transaction begins once writers are under way, so its id sits in the middle of theirs.
  await waitFor(() => committed >= 100, { description: '100 appends committed' });
  const slow = await pool.connect();
  const slowOpenedAt = Date.now();
  let slowTransactionId: bigint;
  let slowFirstPosition: bigint;
  let heldOpenMs: number;
  const slowMessageIds = Array.from({ length: SLOW_EVENTS }, (_, i) => `slow-v${i + 1}`);
  try {
    await slow.query('BEGIN');
    const appended = await store.append(
      slow,
      'slow',
      'no-stream',
      slowMessageIds.map((id) => ({ type: 'Slow', data: { id } })),
      { outbox: slowMessageIds.map((messageId) => ({ topic, key: 'slow', messageId, value: '{}' })) },
    );
    slowTransactionId = appended.firstPosition.transactionId;
    slowFirstPosition = appended.firstPosition.globalPosition;

    // Writers keep committing around the open transaction for a few seconds.
    await waitFor(() => Date.now() - slowOpenedAt >= HOLD_SLOW_TRANSACTION_MS, { description: 'the slow transaction open for a while' });
    stopWriting = true;
    await Promise.all(appenders);
    await waitForLogHorizon(pool, slowTransactionId); // every writer before the slow one has ended
    const { rows } = await pool.query<{ before: number; after: number; after_with_higher_position: number }>(
      `SELECT count(*) FILTER (WHERE transaction_id < $1::text::xid8)::int AS before,
              count(*) FILTER (WHERE transaction_id > $1::text::xid8)::int AS after,
              count(*) FILTER (WHERE transaction_id > $1::text::xid8 AND global_position > $2)::int AS after_with_higher_position
         FROM "${schema}".events`,
      [slowTransactionId.toString(), slowFirstPosition.toString()],
    );
    const { before, after, after_with_higher_position: overtaking } = rows[0]!;
    expect(before).toBeGreaterThanOrEqual(100);
    expect(after + before).toBe(committed);
    expect(overtaking).toBeGreaterThanOrEqual(APPENDERS); // the slow transaction's position is early

    // Relay and projection catch up with everything before the slow transaction, then run three
    // more passes while it stays open: they must not go one row beyond it.
    const publishedRows = async () =>
      (
        await pool.query<{ n: number; beyond: number }>(
          `SELECT count(*)::int AS n, count(*) FILTER (WHERE transaction_id > $1::text::xid8)::int AS beyond FROM "${schema}".outbox WHERE published_at IS NOT NULL`,
          [slowTransactionId.toString()],
        )
      ).rows[0]!;
    await waitFor(async () => projection.seen.size >= before && (await publishedRows()).n >= before, { timeoutMs: 60_000, description: 'relay and projection caught up to the slow transaction' });
    const relayPasses = relay.stats.passes;
    const projectionPasses = projection.passes;
    const naivePasses = naive.passes;
    await waitFor(() => relay.stats.passes >= relayPasses + 3 && projection.passes >= projectionPasses + 3 && naive.passes >= naivePasses + 3, {
      description: 'three more passes of relay and projections',
    });
    expect(projection.seen.size).toBe(before);
    expect(await publishedRows()).toEqual({ n: before, beyond: 0 });
    heldOpenMs = Date.now() - slowOpenedAt;
    await slow.query('COMMIT');
  } finally {
    slow.release(true);
  }

  const total = committed + SLOW_EVENTS;
  await waitFor(() => projection.seen.size === total, { timeoutMs: 60_000, description: `projection reaches ${total} events` });
  await waitFor(async () => (await pool.query(`SELECT count(*)::int AS n FROM "${schema}".outbox WHERE published_at IS NULL`)).rows[0].n === 0, {
    timeoutMs: 60_000,
    description: 'relay publishes every row',
  });
  const lastPosition = BigInt((await pool.query(`SELECT max(global_position)::text AS p FROM "${schema}".events`)).rows[0].p);
  await waitFor(() => naive.lastPosition >= lastPosition, { description: 'naive reader at the end' });
  await relay.stop();
  await projecting.stop();
  await naiveReading.stop();

  const onTopic = await readWholeTopic(kafka, topic);
  const topicIds = onTopic.map((m) => m.headers['ce_id']!);
  const missingOnTopic = [...expectedMessageIds, ...slowMessageIds].filter((id) => !topicIds.includes(id));
  const duplicatesOnTopic = topicIds.length - new Set(topicIds).size;
  const slowSeenByProjection = (await store.readStream(pool, 'slow')).events.filter((e) => projection.seen.has(e.eventId)).length;
  const naiveSkipped = total - naive.seen.size;
  const slowSeenByNaive = slowMessageIds.length - (await store.readStream(pool, 'slow')).events.filter((e) => !naive.seen.has(e.eventId)).length;
  console.info(
    `gap test: ${total} events from ${APPENDERS} writers + 1 slow transaction held ${heldOpenMs!} ms; ` +
      `relay missing ${missingOnTopic.length}, duplicates ${duplicatesOnTopic}; projection ${projection.seen.size}/${total} ` +
      `(slow ${slowSeenByProjection}/${SLOW_EVENTS}, order violations ${projection.orderViolations.length}); naive position reader skipped ${naiveSkipped}`,
  );

  expect(missingOnTopic).toEqual([]);
  expect(duplicatesOnTopic).toBe(0);
  expect(projection.seen.size).toBe(total);
  expect(slowSeenByProjection).toBe(SLOW_EVENTS);
  expect(projection.orderViolations).toEqual([]);
  // Per key, the topic has the stream's versions in order.
  for (const key of new Set(onTopic.map((m) => m.key))) {
    const versions = onTopic.filter((m) => m.key === key).map((m) => Number(/-v(\d+)$/.exec(m.headers['ce_id']!)![1]));
    expect(versions).toEqual(versions.map((_, i) => i + 1));
  }
  // The control: reading by global_position alone loses the slow transaction's events.
  expect(slowSeenByNaive).toBe(0);
  expect(naiveSkipped).toBeGreaterThanOrEqual(SLOW_EVENTS);
});
