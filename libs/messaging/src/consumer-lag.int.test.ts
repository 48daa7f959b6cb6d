import { createTopic, kafkaBrokers, uniqueName, waitFor } from '@dunning/testing';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import { createFreshSchema, dropSchema, ensureTestDatabase, testPool } from '../test-support/postgres';
import { ConsumerLagProbe } from './consumer-lag';
import { OffsetStore } from './offset-store';
import { TransactionalBatchConsumer } from './transactional-batch-consumer';

/**
 * The lag probe against the real broker and PostgreSQL: records on the topic minus what the
 * offsets table says was handled, first by hand, then as a real TransactionalBatchConsumer drains it.
 */
describe('ConsumerLagProbe (real broker and database)', () => {
  let pool: Pool;
  let schema: string;
  const kafka = new Kafka({ clientId: 'consumer-lag-it', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  const probes: ConsumerLagProbe[] = [];
  let consumer: TransactionalBatchConsumer<string> | undefined;

  beforeAll(async () => {
    await ensureTestDatabase();
    pool = testPool(4);
    schema = await createFreshSchema(pool, 'lag');
  });

  afterAll(async () => {
    await consumer?.stop();
    for (const probe of probes) await probe.close();
    await dropSchema(pool, schema);
    await pool.end();
  });

  it('counts records not handled per the offsets PostgreSQL keeps, down to 0 once a consumer drained the topic', async () => {
    const topic = await createTopic(kafkaBrokers(), uniqueName('lag'), 2);
    const other = await createTopic(kafkaBrokers(), uniqueName('lag-other'), 1);
    const groupId = uniqueName('lag-group');
    const notYet = uniqueName('lag-not-created-yet');
    const probe = new ConsumerLagProbe(kafka, { db: pool, schema, targets: [{ groupId, topics: [topic, notYet] }, { groupId: `${groupId}-b`, topics: [other] }] });
    probes.push(probe);
    // A topic nobody created yet holds nothing to consume (and costs no retries).
    const first = process.hrtime.bigint();
    expect(await probe.lag()).toBe(0);
    expect(Number(process.hrtime.bigint() - first) / 1e6).toBeLessThan(2_000);

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, key: `k${i}`, value: `v${i}` })) });
    await producer.send({ topic: other, acks: -1, messages: [{ value: 'x' }, { value: 'y' }] });
    await producer.disconnect();
    expect(await probe.lag()).toBe(12);

    // Partition 0 handled up to offset 2 (3 of its 5 records), group b handled one record.
    const offsets = new OffsetStore(schema);
    await offsets.lock(pool, { groupId, topic, partition: 0 });
    await offsets.store(pool, { groupId, topic, partition: 0 }, 2n);
    await offsets.lock(pool, { groupId: `${groupId}-b`, topic: other, partition: 0 });
    await offsets.store(pool, { groupId: `${groupId}-b`, topic: other, partition: 0 }, 0n);
    // A row of another group on the same topic changes nothing.
    await offsets.lock(pool, { groupId: 'someone-else', topic, partition: 1 });
    await offsets.store(pool, { groupId: 'someone-else', topic, partition: 1 }, 4n);
    expect(await probe.lag()).toBe(2 + 5 + 1);

    consumer = new TransactionalBatchConsumer<string>({
      kafka,
      pool,
      groupId,
      topics: [topic],
      schema,
      decode: (record) => ({ ok: true, value: record.value?.toString() ?? '' }),
      createDeadLetterTopics: false,
      handle: async () => undefined,
    });
    await consumer.start();
    await waitFor(async () => (await probe.lag()) === 1, { timeoutMs: 30_000, description: 'only group b left with lag' });

    // Once the missing topic is created and written to, its records count.
    await createTopic(kafkaBrokers(), notYet, 1);
    const late = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await late.connect();
    await late.send({ topic: notYet, acks: -1, messages: [{ value: 'late' }] });
    await late.disconnect();
    await waitFor(async () => (await probe.lag()) === 2, { timeoutMs: 30_000, description: 'the new topic counted' });

    const started = process.hrtime.bigint();
    for (let i = 0; i < 10; i++) await probe.lag();
    const perCallMs = Number(process.hrtime.bigint() - started) / 1e6 / 10;
    console.log(`ConsumerLagProbe.lag over 2 groups / 2 topics: ${perCallMs.toFixed(1)} ms per call`);
  }, 60_000);
});
