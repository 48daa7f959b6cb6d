import { createTopic, kafkaBrokers, uniqueName, waitFor } from '@dunning/testing';
import { KafkaPublisher } from '../src/kafka-publisher';
import { TransactionalBatchConsumer } from '../src/transactional-batch-consumer';
import { fastGroupConfig } from '../test-support/kafka';
import {
  countAppliedTransfers,
  effectCounts,
  makeTransfers,
  readAccountSums,
  referenceFold,
  transferHandler,
  transferRecord,
  type Transfer,
} from '../test-support/transfers';
import { useTransferEnvironment } from '../test-support/transfer-environment';

const EVENTS = 6_000;

describe('rebalance', () => {
  const env = useTransferEnvironment({ clientId: 'rebalance-test', schemaPrefix: 'rebalance', poolSize: 12 });

  it('members joining and leaving mid-stream lose nothing and apply nothing twice', async () => {
    const { kafka, pool, schema, running } = env;
    const topic = await createTopic(kafkaBrokers(), uniqueName('rebalance'), 4);
    const groupId = uniqueName('rebalance-group');
    const transfers = makeTransfers(EVENTS, 61, 'rb');
    const publisher = new KafkaPublisher(kafka);
    const handlerCalls = new Map<string, number>();

    const joinedWithPartitions = new Set<string>();
    const startMember = async (name: string): Promise<TransactionalBatchConsumer<Transfer>> => {
      const project = transferHandler(schema);
      const consumer = env.consumer({
        groupId,
        topics: [topic],
        maxChunkSize: 50,
        consumerConfig: { ...fastGroupConfig, maxBytesPerPartition: 32 * 1024 },
        handle: async (events, tx, context) => {
          handlerCalls.set(name, (handlerCalls.get(name) ?? 0) + 1);
          // Keep batches in flight long enough for group changes to cut through them.
          await tx.query('SELECT pg_sleep(0.02)');
          return project(events, tx, context);
        },
      });
      consumer.onKafkaEvent('consumer.group_join', (event) => {
        const assignment = (event.payload as { memberAssignment: Record<string, number[]> }).memberAssignment;
        if ((assignment[topic] ?? []).length > 0) joinedWithPartitions.add(name);
      });
      await consumer.start();
      return consumer;
    };
    const stopMember = async (consumer: TransactionalBatchConsumer<Transfer>): Promise<void> => {
      running.delete(consumer);
      await consumer.stop();
    };
    let published = 0;
    const publishNext = async (count: number): Promise<void> => {
      await publisher.publish(transfers.slice(published, published + count).map((t) => transferRecord(topic, t)));
      published += count;
    };
    const until = (probe: () => Promise<boolean> | boolean, description: string): Promise<true> =>
      waitFor(async () => (await probe()) || undefined, { timeoutMs: 60_000, description });
    const hasJoined = (name: string) => until(() => joinedWithPartitions.has(name), `${name} owns partitions`);
    const hasWorked = (name: string) => until(() => (handlerCalls.get(name) ?? 0) > 0, `${name} handled a batch`);

    // Each change lands while earlier records are still being processed; records published after
    // a join make sure the newcomer has work of its own.
    await publishNext(1_500);
    const a = await startMember('a');
    await until(async () => (await countAppliedTransfers(pool, schema)) >= 300, 'a makes progress');
    const b = await startMember('b');
    await hasJoined('b');
    await publishNext(1_500);
    await hasWorked('b');
    await startMember('c');
    await hasJoined('c');
    await stopMember(a);
    await publishNext(1_500);
    await hasWorked('c');
    await startMember('d');
    await hasJoined('d');
    await stopMember(b);
    await publishNext(EVENTS - published);
    await hasWorked('d');
    await until(async () => (await countAppliedTransfers(pool, schema)) >= EVENTS, `all ${EVENTS} applied`);
    await publisher.disconnect();

    process.stdout.write(`rebalance: handler calls per member ${JSON.stringify(Object.fromEntries(handlerCalls))}\n`);
    expect([...handlerCalls.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(await readAccountSums(pool, schema)).toEqual(referenceFold(transfers));
    expect(await effectCounts(pool, schema)).toEqual({ attempts: EVENTS, distinctAttempted: EVENTS, effects: EVENTS });
  }, 180_000);
});
