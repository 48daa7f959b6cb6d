import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { freePort, kafkaBrokers, readTopicWithKcat, uniqueName, waitFor } from '@dunning/testing';
import { invoiceOpened } from '../test-support/orchestrator-inputs';
import { orchestratorInfrastructure, startOrchestrator, type OrchestratorProcess } from '../test-support/orchestrator-process';

/**
 * Durable timers fire exactly once across `kill -9` (DESIGN.md promise 3). The real service
 * process runs against the real broker and a fresh database with a simulated clock. 60 invoices
 * are opened; the clock is moved so their timers fall due; while the poller fires them the test
 * kills the process with SIGKILL at random moments and starts it again, until all have fired.
 * Then every timer fired once, every step was decided once, and every action reached the topic.
 */
const INVOICES = 60;
const infrastructure = orchestratorInfrastructure('orch');
const { databaseUrl, topics } = infrastructure;

describe('durable timers across kill -9 (real broker and database)', () => {
  const db = new Client({ connectionString: databaseUrl });
  let port = 0;
  let service: OrchestratorProcess | undefined;

  // A fresh consumer group per start, as the test had before the shared helper.
  const start = () => startOrchestrator(infrastructure, { port, env: { ORCHESTRATOR_TIMER_POLL_MS: '20', ORCHESTRATOR_CONSUMER_GROUP: uniqueName('it-orchestrator') } });
  const kill9 = (running: OrchestratorProcess) => running.kill9();

  const count = async (sql: string): Promise<number> => Number((await db.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
  const firedTimers = () => count(`SELECT count(*) AS n FROM orchestrator.timers WHERE status = 'fired'`);
  const setClock = async (to: string) => {
    await db.query(`INSERT INTO orchestrator.simulated_clock (id, now) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET now = EXCLUDED.now`, [to]);
  };

  beforeAll(async () => {
    await infrastructure.create(3);
    await db.connect();
    port = await freePort();
  });

  afterAll(async () => {
    if (service) await kill9(service);
    await db.end();
    await infrastructure.drop();
  });

  /** Lets the poller fire a random part of the due timers, kills the process, starts it again; repeats until all fired. */
  async function fireThroughKills(expectedFired: number): Promise<{ kills: number; midway: number }> {
    let kills = 0;
    let midway = 0;
    for (let round = 0; round < 12; round++) {
      const before = await firedTimers();
      if (before >= expectedFired) break;
      service = await start();
      const running = service;
      // Kill after a random number of further firings (or right away sometimes: a kill during start-up).
      const target = before + Math.floor(Math.random() * Math.max(1, (expectedFired - before) * 0.7));
      await waitFor(
        async () => {
          running.alive();
          return (await firedTimers()) >= Math.min(target, expectedFired);
        },
        { timeoutMs: 60_000, intervalMs: 10, description: `${target} timers fired` },
      );
      const atKill = await firedTimers();
      await kill9(running);
      kills++;
      if (atKill > 0 && atKill < expectedFired) midway++;
    }
    // A last, undisturbed run lets whatever is left fire and the relay publish the outbox.
    service = await start();
    const running = service;
    await waitFor(async () => (await firedTimers()) >= expectedFired, { timeoutMs: 60_000, description: 'every due timer fired' });
    await waitFor(async () => (await count(`SELECT count(*) AS n FROM orchestrator.outbox WHERE published_at IS NULL`)) === 0, {
      timeoutMs: 60_000,
      description: 'the outbox published',
    });
    await kill9(running);
    return { kills, midway };
  }

  it('fires every due timer exactly once while the process is killed with SIGKILL again and again', async () => {
    // Open the invoices while the service runs, then stop it hard.
    service = await start();
    const kafka = new Kafka({ clientId: 'it-producer', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const messages = Array.from({ length: INVOICES }, (_, i) => invoiceOpened(i));
    await producer.send({ topic: topics.invoices, messages });
    await producer.disconnect();
    await waitFor(async () => (await count(`SELECT count(*) AS n FROM orchestrator.timers WHERE status = 'pending'`)) === INVOICES, {
      timeoutMs: 90_000,
      description: `${INVOICES} cases with their first timer`,
    });
    await kill9(service);

    // Round 1: Saturday 28 March, 10:30 in Stockholm: every soft reminder is due.
    await setClock('2026-03-28T09:30:00Z');
    const first = await fireThroughKills(INVOICES);
    // Round 2: the due date, 09:30 in Stockholm: every due-date notice is due.
    await setClock('2026-03-31T07:30:00Z');
    const second = await fireThroughKills(2 * INVOICES);

    const kills = first.kills + second.kills;
    console.log(`kill -9: ${kills} kills, ${first.midway + second.midway} with some but not all timers fired`);
    expect(kills).toBeGreaterThanOrEqual(4);
    expect(first.midway + second.midway).toBeGreaterThanOrEqual(1);

    // Every timer that fell due fired exactly once and none is left behind.
    expect(await count(`SELECT count(*) AS n FROM orchestrator.timers WHERE status = 'fired' AND fire_count = 1`)).toBe(2 * INVOICES);
    expect(await count(`SELECT count(*) AS n FROM orchestrator.timers WHERE fire_count > 1`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM orchestrator.timers WHERE status = 'pending' AND fire_at <= '2026-03-31T07:30:00Z'`)).toBe(0);
    // The case streams agree: one TimerFired per timer, one decision per step.
    expect(await count(`SELECT count(*) AS n FROM orchestrator.events WHERE event_type = 'TimerFired'`)).toBe(2 * INVOICES);
    expect(await count(`SELECT count(*) AS n FROM (SELECT data->>'timerId' FROM orchestrator.events WHERE event_type = 'TimerFired' GROUP BY 1 HAVING count(*) > 1) d`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM orchestrator.events WHERE event_type = 'ActionRequested'`)).toBe(2 * INVOICES);
    expect(await count(`SELECT count(DISTINCT data->'action'->>'actionId') AS n FROM orchestrator.events WHERE event_type = 'ActionRequested'`)).toBe(2 * INVOICES);

    // And on the wire (read with kcat): every reminder request, each action id once or more (at-least-once relay, same ce_id).
    const records = await readTopicWithKcat(topics.actions, { minRecords: 2 * INVOICES, timeoutMs: 30_000 });
    const reminderIds = new Set(
      records
        .filter((record) => record.headers.some(([name, value]) => name === 'ce_type' && value === 'dunning.reminder.requested.v1'))
        .map((record) => record.headers.find(([name]) => name === 'ce_id')?.[1]),
    );
    expect(reminderIds.size).toBe(2 * INVOICES);
    expect(reminderIds.has('invoice-7/before-due/soft-reminder')).toBe(true);
    expect(reminderIds.has('invoice-7/before-due/due-today')).toBe(true);
  });
});
