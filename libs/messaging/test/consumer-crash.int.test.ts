import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createTopic, kafkaBrokers, uniqueName, waitFor } from '@dunning/testing';
import type { Pool } from 'pg';
import { KafkaPublisher } from '../src/kafka-publisher';
import { testKafka } from '../test-support/kafka';
import { createFreshSchema, dropSchema, ensureTestDatabase, testPool } from '../test-support/postgres';
import { countAppliedTransfers, effectCounts, makeTransfers, readAccountSums, referenceFold, transferRecord, transfersDdl } from '../test-support/transfers';

const repoRoot = resolve(__dirname, '../../..');
const script = resolve(__dirname, '../test-support/crash-consumer.ts');
const EVENTS = 5_000;
const KILLS = 6;

interface RunningConsumer {
  readonly child: ChildProcess;
  /** Resolves on the next marker line of the given kind. */
  nextMarker(kind: 'B' | 'E'): Promise<void>;
  readonly exited: Promise<number | null>;
}

function startConsumer(env: Record<string, string>): RunningConsumer {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', script], {
    cwd: repoRoot,
    env: { ...process.env, ...env, TS_NODE_PROJECT: resolve(repoRoot, 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const waiters: { kind: string; resolve: () => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    for (const waiter of waiters.splice(0)) {
      if (line.startsWith(waiter.kind)) waiter.resolve();
      else waiters.push(waiter);
    }
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, exited, nextMarker: (kind) => new Promise<void>((done) => waiters.push({ kind, resolve: done })) };
}

describe('consumer crash', () => {
  let pool: Pool;
  let schema: string;

  beforeAll(async () => {
    await ensureTestDatabase();
    pool = testPool(4);
    schema = await createFreshSchema(pool, 'crash');
    await pool.query(transfersDdl(schema));
  });

  afterAll(async () => {
    await dropSchema(pool, schema);
    await pool.end();
  });

  it(`kill -9 mid-batch ${KILLS} times: the projection equals the reference fold and no effect is duplicated`, async () => {
    const topic = await createTopic(kafkaBrokers(), uniqueName('crash'), 3);
    const transfers = makeTransfers(EVENTS, 97, 'crash');
    const publisher = new KafkaPublisher(testKafka('crash-producer'));
    for (let i = 0; i < transfers.length; i += 1_000) await publisher.publish(transfers.slice(i, i + 1_000).map((t) => transferRecord(topic, t)));
    await publisher.disconnect();

    const env = { CRASH_SCHEMA: schema, CRASH_TOPIC: topic, CRASH_GROUP: uniqueName('crash-group'), CRASH_CHUNK: '100' };
    const killedAt: { applied: number; marker: 'B' | 'E' }[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const consumer = startConsumer(env);
      const before = await countAppliedTransfers(pool, schema);
      // A random point: after some progress, right when a handler starts (transaction open) or
      // right after it returned (offset not yet stored/committed).
      const threshold = before + 200 + Math.floor(Math.random() * ((EVENTS * 0.8) / KILLS - 200));
      await waitFor(async () => (await countAppliedTransfers(pool, schema)) >= threshold, { timeoutMs: 60_000, description: `${threshold} applied` });
      const marker = Math.random() < 0.6 ? 'B' : 'E';
      await consumer.nextMarker(marker);
      consumer.child.kill('SIGKILL');
      await consumer.exited;
      killedAt.push({ applied: await countAppliedTransfers(pool, schema), marker });
    }

    const last = startConsumer(env);
    await waitFor(async () => (await countAppliedTransfers(pool, schema)) >= EVENTS, { timeoutMs: 90_000, description: `all ${EVENTS} applied` });
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);

    process.stdout.write(`consumer crash: kills at ${JSON.stringify(killedAt)}\n`);
    expect(killedAt).toHaveLength(KILLS);
    expect(killedAt.every((k, i) => i === 0 || k.applied >= killedAt[i - 1]!.applied)).toBe(true);
    expect(await readAccountSums(pool, schema)).toEqual(referenceFold(transfers));
    const effects = await effectCounts(pool, schema);
    process.stdout.write(`consumer crash: effects ${JSON.stringify(effects)}\n`);
    expect(effects).toEqual({ attempts: EVENTS, distinctAttempted: EVENTS, effects: EVENTS });
  }, 300_000);
});
