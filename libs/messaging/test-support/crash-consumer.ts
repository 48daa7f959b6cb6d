// A consumer process for the crash test: the test kills it with SIGKILL at random points and
// starts it again. It prints one marker line per handler call on stdout so the test can aim its
// kills: `B <partition> <first offset>` when the handler starts (transaction open) and `E` when
// the handler returned (the library is about to store the offset and commit).
//   node -r ts-node/register/transpile-only -r tsconfig-paths/register libs/messaging/test-support/crash-consumer.ts
import { TransactionalBatchConsumer } from '../src/transactional-batch-consumer';
import { fastGroupConfig, testKafka } from './kafka';
import { testPool } from './postgres';
import { decodeTransfer, transferHandler, type Transfer } from './transfers';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

async function main(): Promise<void> {
  const schema = required('CRASH_SCHEMA');
  const pool = testPool(4);
  const project = transferHandler(schema);
  const consumer = new TransactionalBatchConsumer<Transfer>({
    kafka: testKafka('crash-consumer'),
    pool,
    schema,
    groupId: required('CRASH_GROUP'),
    topics: [required('CRASH_TOPIC')],
    decode: decodeTransfer,
    maxChunkSize: Number(process.env['CRASH_CHUNK'] ?? 100),
    consumerConfig: { ...fastGroupConfig, maxBytesPerPartition: 64 * 1024 },
    handle: async (events, tx, context) => {
      process.stdout.write(`B ${context.partition} ${events[0]?.offset ?? '-'}\n`);
      // Widen the window in which the transaction is open, so kills land inside it.
      await tx.query('SELECT pg_sleep(0.01)');
      const result = await project(events, tx, context);
      process.stdout.write('E\n');
      return result;
    },
  });
  const shutdown = async (): Promise<void> => {
    await consumer.stop();
    await pool.end();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  await consumer.start();
  process.stdout.write('READY\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`crash-consumer failed: ${String(error)}\n`);
  process.exit(2);
});
