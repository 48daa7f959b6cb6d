import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { freePort, kafkaBrokers, waitFor } from '@dunning/testing';
import { invoiceOpened } from '../test-support/orchestrator-inputs';
import { orchestratorInfrastructure, startOrchestrator, type OrchestratorProcess } from '../test-support/orchestrator-process';

/**
 * The shared admin contract of simulated time on the real orchestrator process (docs/simulated-time.md):
 * GET/PUT /admin/clock and GET /admin/quiescence. The timer poller's own interval is ten minutes,
 * so only the PUT can fire the timers it reports. Busy states are made deterministic by holding
 * locks the consumer (consumer_offsets) and the relay (its advisory lock) need.
 */
const INVOICES = 12;
const infrastructure = orchestratorInfrastructure('orch-clock');
const { databaseUrl, topics } = infrastructure;

type Quiescence = { quiet: boolean; pending: Record<string, number> };

describe('orchestrator simulated time and quiescence (real process, broker and database)', () => {
  const db = new Client({ connectionString: databaseUrl });
  let port = 0;
  let service: OrchestratorProcess | undefined;
  const base = () => `http://127.0.0.1:${port}`;

  const start = async () => {
    service = await startOrchestrator(infrastructure, { port, env: { ORCHESTRATOR_TIMER_POLL_MS: '600000' } });
    await service.ready();
  };
  const kill9 = async () => service?.kill9();

  const count = async (sql: string): Promise<number> => Number((await db.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
  const quiescence = async (): Promise<Quiescence> => {
    const response = await fetch(`${base()}/admin/quiescence`);
    expect(response.status).toBe(200);
    return (await response.json()) as Quiescence;
  };
  const putClock = (body: unknown) => fetch(`${base()}/admin/clock`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    await infrastructure.create(3);
    await db.connect();
    port = await freePort();
  });

  afterAll(async () => {
    await kill9();
    await db.end();
    await infrastructure.drop();
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
      messages: Array.from({ length: INVOICES }, (_, i) => invoiceOpened(i)),
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
