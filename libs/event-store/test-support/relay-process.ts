/**
 * The outbox relay as a process of its own, for the crash test: started, `kill -9`ed and started
 * again by libs/event-store/src/relay-crash.int.test.ts.
 *
 *   RELAY_SCHEMA=<schema> [DATABASE_URL=…] [KAFKA_BROKERS=…] [RELAY_BATCH_SIZE=50]
 *   [DUNNING_FAULT=after-publish-before-mark:<n>]
 *   node -r @swc-node/register libs/event-store/test-support/relay-process.ts
 *
 * DUNNING_FAULT makes the process SIGKILL itself at the n-th time it reaches that point of a
 * pass: after the broker acknowledged a batch and before the rows are marked published. The
 * relay's own code path is the production one; only its faultInjection hook is wired here.
 *
 * Prints `ready`, `batch <count> <last outbox position>` after each committed batch and `fault <point> <n>`
 * right before a self-inflicted kill (stdout to a pipe is synchronous on Linux, so it arrives).
 */
import { Pool } from 'pg';
import { OutboxRelay, type RelayFaultPoint } from '../src/outbox-relay';
import { testKafka, TestKafkaPublisher } from './kafka';
import { TEST_DATABASE_URL } from './postgres';

function parseFault(spec: string | undefined): { point: RelayFaultPoint; at: number } | undefined {
  if (!spec) return undefined;
  const match = /^(after-publish-before-mark):(\d+)$/.exec(spec);
  if (!match) throw new Error(`DUNNING_FAULT must look like after-publish-before-mark:<n>, got "${spec}"`);
  return { point: match[1] as RelayFaultPoint, at: Number(match[2]) };
}

const schema = process.env['RELAY_SCHEMA'];
if (!schema) throw new Error('RELAY_SCHEMA is required');
const fault = parseFault(process.env['DUNNING_FAULT']);
let faultHits = 0;

const pool = new Pool({ connectionString: process.env['DATABASE_URL'] ?? TEST_DATABASE_URL, max: 2 });
const publisher = new TestKafkaPublisher(testKafka(`outbox-relay-${process.pid}`));
const relay = new OutboxRelay({
  pool,
  schema,
  publisher,
  batchSize: Number(process.env['RELAY_BATCH_SIZE'] ?? 50),
  pollIntervalMs: 20,
  faultInjection: (point) => {
    if (fault && point === fault.point && ++faultHits === fault.at) {
      process.stdout.write(`fault ${point} ${faultHits}\n`);
      process.kill(process.pid, 'SIGKILL');
    }
  },
  onBatch: (batch) => process.stdout.write(`batch ${batch.count} ${batch.lastOutboxPosition}\n`),
  onError: (error) => process.stderr.write(`relay pass failed: ${error instanceof Error ? error.message : String(error)}\n`),
});

process.once('SIGTERM', () => {
  void (async () => {
    await relay.stop();
    await publisher.disconnect();
    await pool.end();
    process.exit(0);
  })();
});

relay.start();
process.stdout.write('ready\n');
