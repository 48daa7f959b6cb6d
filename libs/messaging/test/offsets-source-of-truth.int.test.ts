import { createTopic, kafkaBrokers, uniqueName, waitFor } from '@dunning/testing';
import { OffsetStore } from '../src/offset-store';
import {
  countAppliedTransfers,
  makeTransfers,
  readAccountSums,
  referenceFold,
  transferHandler,
  transferRecord,
} from '../test-support/transfers';
import { useTransferEnvironment } from '../test-support/transfer-environment';

describe('PostgreSQL is the source of truth for consumed offsets', () => {
  const env = useTransferEnvironment({ clientId: 'offsets-test', schemaPrefix: 'offsets' });

  beforeEach(() => env.clearProjection());

  async function run(topic: string, groupId: string, expectedApplied: number): Promise<void> {
    const { pool, schema } = env;
    await env.startConsumer({ groupId, topics: [topic], handle: transferHandler(schema) });
    await waitFor(async () => (await countAppliedTransfers(pool, schema)) === expectedApplied, { description: `${expectedApplied} applied` });
  }

  async function commitKafkaOffsets(topic: string, groupId: string, offsets: { partition: number; offset: string }[]): Promise<void> {
    const { kafka } = env;
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.setOffsets({ groupId, topic, partitions: offsets });
    } finally {
      await admin.disconnect();
    }
  }

  it('a Kafka group offset that ran ahead of PostgreSQL skips nothing', async () => {
    const { pool, schema, publisher } = env;
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
    const { pool, schema, publisher } = env;
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
