import { createTopic, kafkaBrokers, uniqueName, waitFor } from '@dunning/testing';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { KafkaPublisher } from '../src/kafka-publisher';
import { OffsetStore } from '../src/offset-store';
import { TransactionalBatchConsumer } from '../src/transactional-batch-consumer';
import { fastGroupConfig, testKafka } from '../test-support/kafka';
import { createFreshSchema, dropSchema, ensureTestDatabase, testPool } from '../test-support/postgres';
import {
  countAppliedTransfers,
  decodeTransfer,
  makeTransfers,
  readAccountSums,
  referenceFold,
  transferHandler,
  transferRecord,
  transfersDdl,
  type Transfer,
} from '../test-support/transfers';

describe('PostgreSQL is the source of truth for consumed offsets', () => {
  let kafka: Kafka;
  let pool: Pool;
  let schema: string;
  let publisher: KafkaPublisher;
  const running: TransactionalBatchConsumer<Transfer>[] = [];

  beforeAll(async () => {
    await ensureTestDatabase();
    kafka = testKafka('offsets-test');
    pool = testPool();
    schema = await createFreshSchema(pool, 'offsets');
    await pool.query(transfersDdl(schema));
    publisher = new KafkaPublisher(kafka);
  });

  afterAll(async () => {
    for (const consumer of running) await consumer.stop();
    await publisher.disconnect();
    await dropSchema(pool, schema);
    await pool.end();
  });

  beforeEach(() => pool.query(`TRUNCATE "${schema}".account_sums, "${schema}".effects, "${schema}".effect_attempts`));

  async function run(topic: string, groupId: string, expectedApplied: number): Promise<void> {
    const consumer = new TransactionalBatchConsumer<Transfer>({
      kafka,
      pool,
      schema,
      groupId,
      topics: [topic],
      decode: decodeTransfer,
      handle: transferHandler(schema),
      consumerConfig: fastGroupConfig,
    });
    running.push(consumer);
    await consumer.start();
    await waitFor(async () => (await countAppliedTransfers(pool, schema)) === expectedApplied, { description: `${expectedApplied} applied` });
  }

  async function commitKafkaOffsets(topic: string, groupId: string, offsets: { partition: number; offset: string }[]): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.setOffsets({ groupId, topic, partitions: offsets });
    } finally {
      await admin.disconnect();
    }
  }

  it('a Kafka group offset that ran ahead of PostgreSQL skips nothing', async () => {
    const topic = await createTopic(kafkaBrokers(), uniqueName('ahead'), 3);
    const groupId = uniqueName('ahead-group');
    const transfers = makeTransfers(900, 30, 'ahead');
    await publisher.publish(transfers.map((t) => transferRecord(topic, t)));
    // E.g. a projection reset, or a restore of an older database backup.
    await commitKafkaOffsets(topic, groupId, [0, 1, 2].map((partition) => ({ partition, offset: '150' })));
    await run(topic, groupId, transfers.length);
    expect(await readAccountSums(pool, schema)).toEqual(referenceFold(transfers));
  });

  it('records at or below the offset stored in PostgreSQL are not applied again, whatever Kafka says', async () => {
    const topic = await createTopic(kafkaBrokers(), uniqueName('behind'), 1);
    const groupId = uniqueName('behind-group');
    const transfers = makeTransfers(400, 10, 'behind');
    await publisher.publish(transfers.map((t) => transferRecord(topic, t)));
    const store = new OffsetStore(schema);
    const client = await pool.connect();
    try {
      await store.lock(client, { groupId, topic, partition: 0 });
      await store.store(client, { groupId, topic, partition: 0 }, 249n);
    } finally {
      client.release();
    }
    await commitKafkaOffsets(topic, groupId, [{ partition: 0, offset: '0' }]);
    await run(topic, groupId, 150);
    expect(await readAccountSums(pool, schema)).toEqual(referenceFold(transfers.slice(250)));
  });
});
