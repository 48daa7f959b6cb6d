import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { waitFor } from '@dunning/testing';
import { createTopic, deleteTopic, KAFKA_BROKERS, readWholeTopic, testKafka } from '../test-support/kafka';
import { dropSchema, freshEventStoreSchema, randomSuffix, TEST_DATABASE_URL, testPool, waitForLogHorizon } from '../test-support/postgres';
import { EventStore } from './event-store';
import { Inbox } from './inbox';
import { withTransaction } from './sql-client';

/**
 * The relay crash test. A 10,000-event outbox is published by a relay process that is killed
 * with SIGKILL at 12 points (4 of them exactly between the broker's acknowledgement and marking
 * the rows published, 8 at random: a random number of batches, then a random delay, into a run)
 * and restarted each time. Then the topic must hold
 * every message (duplicates allowed, counted), each key's first occurrences in append order, and
 * an inbox-guarded effect handler must apply every message exactly once.
 */
const STREAMS = 100;
const EVENTS_PER_STREAM = 100;
const EVENTS_PER_APPEND = 10;
const BATCH_SIZE = 50;
const TOTAL = STREAMS * EVENTS_PER_STREAM;
/** A random kill lands `delayMs` after the relay process reported its `afterBatches`-th batch. */
type KillPoint = { kind: 'fault'; at: number } | { kind: 'random'; afterBatches: number; delayMs: number };

let pool: Pool;
let kafka: Kafka;
let schema: string;
let topic: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  pool = await testPool(5);
  kafka = testKafka('event-store-crash-test');
  schema = await freshEventStoreSchema(pool);
  topic = `es-crash-${randomSuffix()}`;
  await createTopic(kafka, topic, 4);
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await dropSchema(pool, schema);
  await deleteTopic(kafka, topic);
  await pool.end();
});

/** A small seeded PRNG (mulberry32): the kill schedule is random but reproducible from the seed it prints. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RunningRelay {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startRelayProcess(fault?: string): RunningRelay {
  const script = join(__dirname, '..', 'test-support', 'relay-process.ts');
  const env: NodeJS.ProcessEnv = { ...process.env, RELAY_SCHEMA: schema, DATABASE_URL: TEST_DATABASE_URL, KAFKA_BROKERS: KAFKA_BROKERS.join(','), RELAY_BATCH_SIZE: String(BATCH_SIZE) };
  if (fault) env['DUNNING_FAULT'] = fault;
  else delete env['DUNNING_FAULT'];
  const child = spawn(process.execPath, ['-r', require.resolve('@swc-node/register'), script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, output: () => output, exited };
}

function exitWithin(relay: RunningRelay, timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`relay process did not exit within ${timeoutMs} ms; output:\n${relay.output()}`)), timeoutMs);
  });
  return Promise.race([relay.exited, timeout]).finally(() => clearTimeout(timer));
}

async function publishedCount(): Promise<number> {
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".outbox WHERE published_at IS NOT NULL`);
  return rows[0].n;
}

it('loses nothing and applies every effect once when the relay is killed -9 at 12 points of a 10,000-event run', async () => {
  // 1. The outbox: 100 streams (= keys) × 100 events, appended 10 at a time, 4 writers.
  const store = new EventStore({ schema });
  await Promise.all(
    Array.from({ length: 4 }, async (_, w) => {
      for (let s = w; s < STREAMS; s += 4) {
        const streamId = `acct-${s}`;
        for (let version = 0; version < EVENTS_PER_STREAM; version += EVENTS_PER_APPEND) {
          const versions = Array.from({ length: EVENTS_PER_APPEND }, (_, i) => version + i + 1);
          await store.append(
            pool,
            streamId,
            version,
            versions.map((v) => ({ type: 'Charged', data: { v } })),
            { outbox: versions.map((v) => ({ topic, key: streamId, messageId: `${streamId}:${v}`, value: JSON.stringify({ streamId, v }) })) },
          );
        }
      }
    }),
  );
  expect((await pool.query(`SELECT count(*)::int AS n FROM "${schema}".outbox`)).rows[0].n).toBe(TOTAL);
  await waitForLogHorizon(pool); // from here on, every row is readable by the relay

  // 2. Kill the relay at 12 points, restarting it each time.
  const seed = Number(process.env['RELAY_CRASH_SEED'] ?? Date.now() % 1_000_000);
  const random = prng(seed);
  const schedule: KillPoint[] = [];
  const faultAts = [1, 3, 2, 5];
  for (let i = 0; i < 12; i++) schedule.push(i % 3 === 0 ? { kind: 'fault', at: faultAts[i / 3]! } : { kind: 'random', afterBatches: 1 + Math.floor(random() * 15), delayMs: Math.floor(random() * 30) });
  const kills: string[] = [];
  for (const point of schedule) {
    const before = await publishedCount();
    if (point.kind === 'fault') {
      const relay = startRelayProcess(`after-publish-before-mark:${point.at}`);
      const exit = await exitWithin(relay, 60_000);
      expect(exit.signal).toBe('SIGKILL');
      expect(relay.output()).toContain(`fault after-publish-before-mark ${point.at}`);
      // The killed pass's batch reached the broker but was never marked.
      expect(await publishedCount()).toBe(before + (point.at - 1) * BATCH_SIZE);
    } else {
      const relay = startRelayProcess();
      const batches = () => relay.output().split('\n').filter((line) => line.startsWith('batch ')).length;
      await waitFor(() => batches() >= point.afterBatches, { timeoutMs: 30_000, intervalMs: 2, description: `the relay's batch ${point.afterBatches}` });
      await new Promise((resolve) => setTimeout(resolve, point.delayMs)); // the fault schedule, not a wait for a condition
      relay.child.kill('SIGKILL');
      expect((await exitWithin(relay, 10_000)).signal).toBe('SIGKILL');
    }
    const after = await publishedCount();
    kills.push(`${point.kind === 'fault' ? `after-publish-before-mark:${point.at}` : `random:${point.afterBatches}b+${point.delayMs}ms`} @${after}/${TOTAL}`);
    expect(after).toBeLessThan(TOTAL); // every kill lands mid-run
  }

  // 3. A last relay finishes the job and stops cleanly.
  const last = startRelayProcess();
  await waitFor(async () => (await publishedCount()) === TOTAL, { timeoutMs: 90_000, description: 'every outbox row published' });
  last.child.kill('SIGTERM');
  expect(await exitWithin(last, 30_000)).toEqual({ code: 0, signal: null });

  // 4. The topic: nothing missing, duplicates counted, first occurrences in append order per key.
  const messages = await readWholeTopic(kafka, topic, 90_000);
  const ids = messages.map((m) => m.headers['ce_id']!);
  const unique = new Set(ids);
  const expectedIds = Array.from({ length: STREAMS }, (_, s) => Array.from({ length: EVENTS_PER_STREAM }, (_, v) => `acct-${s}:${v + 1}`)).flat();
  const missing = expectedIds.filter((id) => !unique.has(id));
  const duplicates = ids.length - unique.size;
  const firstOccurrenceOrderBroken: string[] = [];
  for (let s = 0; s < STREAMS; s++) {
    const key = `acct-${s}`;
    const seen = new Set<string>();
    const firsts: number[] = [];
    for (const message of messages) {
      if (message.key !== key || seen.has(message.headers['ce_id']!)) continue;
      seen.add(message.headers['ce_id']!);
      firsts.push(Number(message.headers['ce_id']!.split(':')[1]));
    }
    if (firsts.join(',') !== Array.from({ length: EVENTS_PER_STREAM }, (_, v) => v + 1).join(',')) firstOccurrenceOrderBroken.push(key);
  }
  const kcat = spawnSync('kcat', ['-b', KAFKA_BROKERS[0]!, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%o\\n'], { encoding: 'utf8', timeout: 60_000 });
  const kcatCount = kcat.status === 0 ? kcat.stdout.split('\n').filter(Boolean).length : undefined;

  // 5. The downstream effect handler: inbox + effect in one transaction per batch of 100; fed the
  //    whole topic twice (a consumer re-reading from offset 0), it still applies each message once.
  const inbox = new Inbox({ schema });
  await pool.query(`CREATE TABLE "${schema}".effects (message_id text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  let absorbed = 0;
  for (let pass = 1; pass <= 2; pass++) {
    for (let i = 0; i < messages.length; i += 100) {
      const batchIds = messages.slice(i, i + 100).map((m) => m.headers['ce_id']!);
      await withTransaction(pool, async (client) => {
        const fresh = await inbox.markProcessed(client, 'crash-test-effects', batchIds);
        absorbed += batchIds.length - fresh.length;
        if (fresh.length > 0) await client.query(`INSERT INTO "${schema}".effects (message_id) SELECT unnest($1::text[])`, [fresh]);
      });
    }
  }
  const effects = (await pool.query(`SELECT count(*)::int AS total, count(DISTINCT message_id)::int AS distinct_ids FROM "${schema}".effects`)).rows[0];

  console.info(
    [
      `relay crash test (seed ${seed}): ${TOTAL} events, ${STREAMS} keys, batch ${BATCH_SIZE}, ${kills.length} kill -9 points:`,
      `  ${kills.join(', ')}`,
      `  topic: ${ids.length} messages (kcat: ${kcatCount ?? 'n/a'}), ${unique.size} distinct, missing ${missing.length}, duplicates ${duplicates}, keys with first occurrences out of order ${firstOccurrenceOrderBroken.length}`,
      `  effects: ${effects.total} applied, ${effects.distinct_ids} distinct, duplicate effects ${effects.total - effects.distinct_ids}, redeliveries absorbed by the inbox ${absorbed}`,
    ].join('\n'),
  );

  expect(kills).toHaveLength(12);
  expect(missing).toEqual([]);
  expect(duplicates).toBeGreaterThanOrEqual(faultAts.length * BATCH_SIZE); // each fault kill republishes its batch
  expect(firstOccurrenceOrderBroken).toEqual([]);
  if (kcatCount !== undefined) expect(kcatCount).toBe(ids.length);
  expect(effects).toEqual({ total: TOTAL, distinct_ids: TOTAL });
  expect(absorbed).toBe(duplicates + ids.length);
});
