import { createTopic, kafkaBrokers, uniqueName, waitFor } from '@dunning/testing';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { KafkaPublisher } from '../src/kafka-publisher';
import { replayProjection } from '../src/replay';
import { TransactionalBatchConsumer, type ConsumerMode } from '../src/transactional-batch-consumer';
import { fastGroupConfig, testKafka } from '../test-support/kafka';
import { createFreshSchema, dropSchema, ensureTestDatabase, testPool } from '../test-support/postgres';
import {
  countAppliedTransfers,
  decodeTransfer,
  effectCounts,
  makeTransfers,
  readAccountSums,
  referenceFold,
  transferHandler,
  transferRecord,
  transfersDdl,
  type Transfer,
} from '../test-support/transfers';

describe('replay', () => {
  let kafka: Kafka;
  let pool: Pool;
  let schema: string;
  let publisher: KafkaPublisher;
  const running: TransactionalBatchConsumer<Transfer>[] = [];

  beforeAll(async () => {
    await ensureTestDatabase();
    kafka = testKafka('replay-test');
    pool = testPool();
    schema = await createFreshSchema(pool, 'replay');
    await pool.query(transfersDdl(schema));
    publisher = new KafkaPublisher(kafka);
  });

  afterAll(async () => {
    for (const consumer of running) await consumer.stop();
    await publisher.disconnect();
    await dropSchema(pool, schema);
    await pool.end();
  });

  it('rebuilds the projection from offset 0 with effects off, stops at the captured watermarks, and the live consumer carries on from there', async () => {
    const topic = await createTopic(kafkaBrokers(), uniqueName('replay'), 3);
    const groupId = uniqueName('replay-group');
    const before = makeTransfers(3_000, 40, 'before');
    const during = makeTransfers(500, 40, 'during');
    await publisher.publish(before.map((t) => transferRecord(topic, t)));

    const modes = new Set<ConsumerMode>();
    const project = transferHandler(schema);
    const startLive = async (): Promise<TransactionalBatchConsumer<Transfer>> => {
      const consumer = new TransactionalBatchConsumer<Transfer>({
        kafka,
        pool,
        schema,
        groupId,
        topics: [topic],
        decode: decodeTransfer,
        consumerConfig: fastGroupConfig,
        handle: (events, tx, context) => {
          modes.add(context.mode);
          return project(events, tx, context);
        },
      });
      running.push(consumer);
      await consumer.start();
      return consumer;
    };

    const live = await startLive();
    await waitFor(async () => (await countAppliedTransfers(pool, schema)) === before.length, { description: 'live projection built' });
    await live.stop();
    // The projection drifts (a bug, a new column…): a replay must rebuild it exactly.
    await pool.query(`UPDATE "${schema}".account_sums SET total_minor = 0`);

    const replayModes = new Set<ConsumerMode>();
    const summary = await replayProjection<Transfer>({
      kafka,
      pool,
      schema,
      topic,
      groupId,
      decode: decodeTransfer,
      consumerConfig: fastGroupConfig,
      handle: (events, tx, context) => {
        replayModes.add(context.mode);
        return project(events, tx, context);
      },
      reset: async (tx) => {
        await tx.query(`TRUNCATE "${schema}".account_sums`);
        // Produced after the watermarks were captured: these belong to the live consumer.
        await publisher.publish(during.map((t) => transferRecord(topic, t)));
      },
    });
    const replayed = [...summary.endOffsets.get(topic)!.values()].reduce((sum, end) => sum + Number(end), 0);
    process.stdout.write(`replay: ${replayed} records in ${summary.durationMs} ms (${Math.round((replayed / summary.durationMs) * 1000)} records/s)\n`);
    expect(replayed).toBe(before.length);
    expect([...replayModes]).toEqual(['replay']);
    expect(await readAccountSums(pool, schema)).toEqual(referenceFold(before));
    // No effect ran again.
    expect(await effectCounts(pool, schema)).toEqual({ attempts: before.length, distinctAttempted: before.length, effects: before.length });

    await startLive();
    await waitFor(async () => (await countAppliedTransfers(pool, schema)) === before.length + during.length, { description: 'live consumer caught up' });
    expect([...modes]).toEqual(['live']);
    expect(await readAccountSums(pool, schema)).toEqual(referenceFold([...before, ...during]));
    const total = before.length + during.length;
    expect(await effectCounts(pool, schema)).toEqual({ attempts: total, distinctAttempted: total, effects: total });
  }, 120_000);
});
