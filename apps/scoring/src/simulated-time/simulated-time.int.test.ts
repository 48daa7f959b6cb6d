import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { encodeBinary } from '@dunning/contracts';
import { loadServiceConfig } from '@dunning/platform';
import { createTopic, kafkaBrokers, uniqueName, waitFor } from '@dunning/testing';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { CustomerScript } from '../../test-support/invoice-events';
import { createDatabase, dropDatabase } from '../../test-support/scoring-app';
import { ScoringModule } from '../scoring.module';
import { DEFAULT_SCORING_SETTINGS, type ScoringSettings } from '../scoring-settings';

/**
 * Scoring on a simulated clock (docs/simulated-time.md), the whole service against the real broker
 * and a fresh database. Its own overdue scan runs every ten minutes of real time here, so only
 * PUT /admin/clock can score what the move made overdue, before it answers. Busy states are made
 * deterministic by holding locks the consumer (consumer_offsets) and the relay (its advisory lock) need.
 */
type Quiescence = { quiet: boolean; pending: Record<string, number> };
const at = (date: string, hour = 10) => `${date}T${String(hour).padStart(2, '0')}:00:00.000Z`;

describe('scoring simulated time and quiescence (real broker and database)', () => {
  let app: INestApplication | undefined;
  let database = '';
  let baseUrl = '';
  let settings: ScoringSettings;
  const databaseUrl = () => `postgres://postgres@127.0.0.1:5432/${database}`;

  const start = async () => {
    const config = loadServiceConfig('scoring', { KAFKA_BROKERS: kafkaBrokers().join(','), DATABASE_URL: databaseUrl(), HTTP_PORT: '0' });
    app = await NestFactory.create(ScoringModule.forRoot(config, { settings, clockConfig: { mode: 'simulated', start: new Date('2026-03-01T12:00:00Z') } }), { logger: ['error', 'warn'] });
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  };
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${baseUrl}${path}`);
    expect([path, response.status]).toEqual([path, 200]);
    return (await response.json()) as T;
  };
  const putClock = (body: unknown) => fetch(`${baseUrl}/admin/clock`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    database = await createDatabase('scoring_clock');
    const brokers = kafkaBrokers();
    settings = {
      ...DEFAULT_SCORING_SETTINGS,
      topics: {
        invoices: await createTopic(brokers, uniqueName('it-invoices'), 3),
        actions: await createTopic(brokers, uniqueName('it-actions'), 3),
        scores: await createTopic(brokers, uniqueName('it-scores'), 3),
      },
      consumerGroups: { invoices: uniqueName('it-scoring-features'), actions: uniqueName('it-scoring-arms') },
      simulatedOverdueScanIntervalMs: 600_000,
      relayPollIntervalMs: 100,
      // One closed outcome is enough for the schedule here; its own check runs every ten minutes of real time.
      retrain: { enabled: true, checkIntervalMs: 600_000, schedule: { minOutcomes: 1, minNewOutcomes: 1, maxModelAgeDays: 30 } },
    };
  });

  afterAll(async () => {
    await app?.close();
    if (database) await dropDatabase(database);
  });

  it('scores what a clock move made overdue before PUT /admin/clock answers, and goes from busy to quiet', async () => {
    await start();
    expect(await get('/admin/clock')).toEqual({ mode: 'simulated', now: '2026-03-01T12:00:00.000Z' });
    await waitFor(async () => (await get<Quiescence>('/admin/quiescence')).quiet, { description: 'quiet at start' });

    // A customer with three invoices paid on time and one open, due 5 March.
    const script = new CustomerScript({ customerId: uniqueName('cust') });
    for (const m of ['2025-12', '2026-01', '2026-02']) script.open(`${script.customerId}-${m}`, at(`${m}-01`, 6), `${m}-05`, 29_900).pay(`${script.customerId}-${m}`, at(`${m}-04`));
    script.open(`${script.customerId}-now`, at('2026-02-20', 6), '2026-03-05', 29_900);

    // Busy 1: the consumer cannot commit while the test holds its offsets table, so every record is lag.
    const blocker = new Client({ connectionString: databaseUrl() });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE scoring.consumer_offsets IN EXCLUSIVE MODE');
    const kafka = new Kafka({ clientId: 'scoring-clock-it', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: settings.topics.invoices, acks: -1, messages: script.events.map((event) => encodeBinary(event)) });
    await producer.disconnect();
    const lagging = await waitFor(async () => {
      const q = await get<Quiescence>('/admin/quiescence');
      return q.pending['consumerLag'] === script.events.length ? q : undefined;
    }, { description: 'the consumer lag to count every record' });
    expect(lagging.quiet).toBe(false);
    await blocker.query('COMMIT');
    await waitFor(async () => (await get<Quiescence>('/admin/quiescence')).quiet, { description: 'quiet after the consumer caught up' });
    const count = async (sql: string) => Number((await blocker.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
    expect(await count(`SELECT count(*) AS n FROM scoring.invoice_watch WHERE status = 'waiting'`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM scoring.scores`)).toBe(0);

    // Busy 2: the relay cannot publish while the test holds its advisory lock.
    await blocker.query('BEGIN');
    await blocker.query(`SELECT pg_advisory_xact_lock(hashtextextended('dunning.outbox-relay:scoring', 0))`);
    // 6 March, 10:00 in Stockholm: the open invoice is overdue.
    const moved = await putClock({ now: '2026-03-06T09:00:00Z' });
    expect(moved.status).toBe(200);
    expect(await moved.json()).toEqual({ now: '2026-03-06T09:00:00.000Z', work: { overdueScanned: 1, retrained: 0 } });
    expect(await count(`SELECT count(*) AS n FROM scoring.scores`)).toBe(1);
    const busy = await get<Quiescence>('/admin/quiescence');
    expect(busy).toEqual({ quiet: false, pending: { consumerLag: 0, outboxPending: 1, overdueDue: 0 } });
    await blocker.query('COMMIT');
    await waitFor(async () => (await get<Quiescence>('/admin/quiescence')).quiet, { description: 'quiet after the relay published' });

    // 60 days after the due date the invoice's outcome window has closed: the move runs the retrain
    // schedule's check, which trains (too few rows for a model: 'insufficient') at the simulated now.
    const later = await putClock({ now: '2026-05-10T00:00:00Z' });
    expect(await later.json()).toEqual({ now: '2026-05-10T00:00:00.000Z', work: { overdueScanned: 0, retrained: 1 } });
    const runs = await blocker.query<{ trigger: string; started_at: Date; outcome_count: number }>(`SELECT trigger, started_at, outcome_count FROM scoring.training_runs`);
    expect(runs.rows).toEqual([{ trigger: 'schedule', started_at: new Date('2026-05-10T00:00:00Z'), outcome_count: 1 }]);
    await blocker.end();

    // Refusals; the instant survives a restart (the start instant only counts the first time).
    expect((await putClock({ now: '2026-03-05T00:00:00Z' })).status).toBe(409);
    expect((await putClock({ now: 42 })).status).toBe(400);
    await app!.close();
    await start();
    expect(await get('/admin/clock')).toEqual({ mode: 'simulated', now: '2026-05-10T00:00:00.000Z' });
  }, 120_000);
});
