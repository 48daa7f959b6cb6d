import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { encodeBinary, INVOICING_SOURCE } from '@dunning/contracts';
import { createTopic, freePort, kafkaBrokers, uniqueName, waitFor } from '@dunning/testing';

/**
 * The shared admin contract of simulated time on the real orchestrator process (docs/simulated-time.md):
 * GET/PUT /admin/clock and GET /admin/quiescence. The timer poller's own interval is ten minutes,
 * so only the PUT can fire the timers it reports. Busy states are made deterministic by holding
 * locks the consumer (consumer_offsets) and the relay (its advisory lock) need.
 */
const repo = path.resolve(__dirname, '../../../..');
const INVOICES = 12;
const adminUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `dunning_${uniqueName('orch_clock').replace(/-/g, '_')}`;
const databaseUrl = `postgres://postgres@127.0.0.1:5432/${database}`;
const topics = {
  invoices: uniqueName('it-invoices'),
  scores: uniqueName('it-scores'),
  deliveries: uniqueName('it-deliveries'),
  collection: uniqueName('it-collection'),
  actions: uniqueName('it-actions'),
};

type Quiescence = { quiet: boolean; pending: Record<string, number> };

describe('orchestrator simulated time and quiescence (real process, broker and database)', () => {
  const db = new Client({ connectionString: databaseUrl });
  let port = 0;
  let child: ChildProcess | undefined;
  const output: string[] = [];
  const base = () => `http://127.0.0.1:${port}`;

  const start = async () => {
    child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/dunning-orchestrator/src/main.ts'], {
      cwd: repo,
      env: {
        ...process.env,
        HTTP_PORT: String(port),
        DATABASE_URL: databaseUrl,
        KAFKA_BROKERS: kafkaBrokers().join(','),
        DUNNING_CLOCK: 'simulated',
        DUNNING_CLOCK_START: '2026-03-01T10:00:00Z',
        ORCHESTRATOR_TIMER_POLL_MS: '600000',
        ORCHESTRATOR_CONSUMER_GROUP: 'it-orchestrator-clock',
        ORCHESTRATOR_TOPIC_INVOICES: topics.invoices,
        ORCHESTRATOR_TOPIC_SCORES: topics.scores,
        ORCHESTRATOR_TOPIC_DELIVERIES: topics.deliveries,
        ORCHESTRATOR_TOPIC_COLLECTION: topics.collection,
        ORCHESTRATOR_TOPIC_ACTIONS: topics.actions,
        OTEL_SDK_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const running = child;
    await waitFor(
      async () => {
        if (running.exitCode !== null) throw new Error(`service exited: ${output.join('').slice(-2000)}`);
        return (await fetch(`${base()}/health/ready`).catch(() => undefined))?.status === 200;
      },
      { timeoutMs: 60_000, description: 'the orchestrator to be ready' },
    );
  };
  const kill9 = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };

  const count = async (sql: string): Promise<number> => Number((await db.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
  const quiescence = async (): Promise<Quiescence> => {
    const response = await fetch(`${base()}/admin/quiescence`);
    expect(response.status).toBe(200);
    return (await response.json()) as Quiescence;
  };
  const putClock = (body: unknown) => fetch(`${base()}/admin/clock`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    await db.connect();
    for (const topic of Object.values(topics)) await createTopic(kafkaBrokers(), topic, 3);
    port = await freePort();
  });

  afterAll(async () => {
    await kill9();
    await db.end();
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  it('fires due timers before PUT /admin/clock answers, and quiescence goes from busy to quiet', async () => {
    await start();
    expect(await (await fetch(`${base()}/admin/clock`)).json()).toEqual({ mode: 'simulated', now: '2026-03-01T10:00:00.000Z' });
    expect(await quiescence()).toEqual({ quiet: true, pending: { consumerLag: 0, outboxPending: 0, timersDue: 0 } });

    // Busy 1: the consumer cannot commit while the test holds its offsets table, so every record is lag.
    const blocker = new Client({ connectionString: databaseUrl });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE messaging.consumer_offsets IN EXCLUSIVE MODE');
    const kafka = new Kafka({ clientId: 'it-clock-producer', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic: topics.invoices,
      messages: Array.from({ length: INVOICES }, (_, i) => {
        const data = {
          invoiceId: `invoice-${i}`,
          customerId: `customer-${i}`,
          issuedAt: '2026-03-01T10:00:00Z',
          dueDate: '2026-03-31',
          amount: { minor: 59_900, currency: 'SEK' },
          balance: { minor: 59_900, currency: 'SEK' },
          customer: { type: 'consumer', locale: 'sv-SE', timeZone: 'Europe/Stockholm', country: 'SE', reachableChannels: ['sms', 'email'] },
        };
        const record = encodeBinary({ specversion: '1.0', id: `opened-${i}`, source: INVOICING_SOURCE, type: 'invoicing.invoice.opened.v1', time: '2026-03-01T10:00:00Z', data });
        return { key: record.key, value: record.value, headers: record.headers };
      }),
    });
    await producer.disconnect();
    const lagging = await waitFor(async () => {
      const q = await quiescence();
      return q.pending['consumerLag'] === INVOICES ? q : undefined;
    }, { timeoutMs: 30_000, description: 'the consumer lag to count every record' });
    expect(lagging.quiet).toBe(false);
    await blocker.query('COMMIT');
    await waitFor(async () => (await quiescence()).quiet, { timeoutMs: 60_000, description: 'quiet after the consumer caught up' });
    expect(await count(`SELECT count(*) AS n FROM orchestrator.timers WHERE status = 'pending'`)).toBe(INVOICES);

    // Busy 2: the relay cannot publish while the test holds its advisory lock.
    await blocker.query('BEGIN');
    await blocker.query(`SELECT pg_advisory_xact_lock(hashtextextended('dunning.outbox-relay:orchestrator', 0))`);
    // 28 March, 10:30 in Stockholm: every soft reminder falls due.
    const moved = await putClock({ now: '2026-03-28T09:30:00Z' });
    expect(moved.status).toBe(200);
    expect(await moved.json()).toEqual({ now: '2026-03-28T09:30:00.000Z', work: { timersFired: INVOICES } });
    // Fired by the PUT itself (the poller sleeps ten minutes), and written before it answered.
    expect(await count(`SELECT count(*) AS n FROM orchestrator.timers WHERE status = 'fired'`)).toBe(INVOICES);
    const busy = await quiescence();
    expect(busy.quiet).toBe(false);
    expect(busy.pending['outboxPending']).toBeGreaterThanOrEqual(INVOICES);
    expect(busy.pending['timersDue']).toBe(0);
    await blocker.query('COMMIT');
    await blocker.end();
    await waitFor(async () => (await quiescence()).quiet, { timeoutMs: 30_000, description: 'quiet after the relay published' });

    // Cheap enough to poll several times per simulated day.
    const started = process.hrtime.bigint();
    for (let i = 0; i < 20; i++) await quiescence();
    const perCallMs = Number(process.hrtime.bigint() - started) / 1e6 / 20;
    console.log(`GET /admin/quiescence: ${perCallMs.toFixed(1)} ms per call`);
    expect(perCallMs).toBeLessThan(100);

    // Refusals: backwards 409, not an instant 400; the clock stays where it was.
    expect((await putClock({ now: '2026-03-27T00:00:00Z' })).status).toBe(409);
    expect((await putClock({ now: 'tomorrow' })).status).toBe(400);
    expect((await putClock({})).status).toBe(400);

    // The instant survives kill -9; DUNNING_CLOCK_START only counts on the first start.
    await kill9();
    await start();
    expect(await (await fetch(`${base()}/admin/clock`)).json()).toEqual({ mode: 'simulated', now: '2026-03-28T09:30:00.000Z' });
  }, 180_000);
});
