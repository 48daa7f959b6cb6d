import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client, Pool } from 'pg';
import { EventStore } from '@dunning/event-store';
import { replayProjection } from '@dunning/messaging';
import { kafkaBrokers, readTopicWithKcat, waitFor } from '@dunning/testing';
import { DateHolidaysCalendar, parsePolicy } from '../domain';
import { readFileSync } from 'node:fs';
import { SystemClock } from '../clock/clock';
import { CaseProcessor } from './case-processor';
import { caseProjector, inputDecoder } from './case-projector';
import { DunningGateway } from './dunning-gateway';
import { inputRecord, invoiceDisputed, paidInFull, scoreComputed, seedsInvoiceOpened } from '../test-support/orchestrator-inputs';
import { orchestratorInfrastructure, repoRoot, startOrchestrator, type OrchestratorProcess } from '../test-support/orchestrator-process';

/**
 * The projection is rebuilt by a replay of the four topics and the replay sends nothing
 * (promise 3). The real service runs a seeds-experiment month for 30 customers (invoices,
 * scores, payments, a dispute; the simulated clock moved through the admin endpoint); then it
 * stops, the projection is replayed from Kafka in the test process with the service's own
 * handler, and the rebuilt cases equal the live ones while no outbox row, event, timer or Kafka
 * record was added. The experiment results endpoint is checked on the way.
 */
const CUSTOMERS = 30;
const infrastructure = orchestratorInfrastructure('rp');
const { databaseUrl, topics, group } = infrastructure;

describe('replaying the projection (real broker and database)', () => {
  const db = new Client({ connectionString: databaseUrl });
  let service: OrchestratorProcess | undefined;
  let baseUrl = '';

  beforeAll(async () => {
    await infrastructure.create(3);
    await db.connect();
    service = await startOrchestrator(infrastructure, { env: { DUNNING_POLICY_FILE: 'policies/seeds-experiment.yaml' } });
    baseUrl = service.baseUrl;
  });

  afterAll(async () => {
    await service?.kill9();
    await db.end();
    await infrastructure.drop();
  });

  const count = async (sql: string): Promise<number> => Number((await db.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
  const setClock = (now: string) => service!.setClock(now);

  it('rebuilds the same cases from Kafka and sends nothing', async () => {
    await service?.ready();
    const kafka = new Kafka({ clientId: 'it-replay', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: topics.invoices, messages: Array.from({ length: CUSTOMERS }, (_, i) => seedsInvoiceOpened(i)) });
    await producer.send({ topic: topics.scores, messages: Array.from({ length: CUSTOMERS }, (_, i) => scoreComputed(i)) });
    await waitFor(async () => (await count(`SELECT count(*) AS n FROM orchestrator.cases WHERE status = 'open'`)) === CUSTOMERS, {
      timeoutMs: 60_000,
      description: 'the cases opened',
    });

    // A month passes in steps; some pay, one disputes.
    await setClock('2026-03-17T10:00:00Z');
    await setClock('2026-03-20T08:00:00Z');
    await setClock('2026-03-23T09:00:00Z');
    await producer.send({
      topic: topics.invoices,
      messages: [
        ...[0, 1, 2, 3, 4].map((i) => paidInFull(i, '2026-03-23T09:00:00Z')),
        invoiceDisputed(5, '2026-03-23T09:00:00Z'),
        inputRecord('invoicing.customer.terminated.v1', 'terminated-6', '2026-03-23T09:00:00Z', { customerId: 'customer-6', terminatedAt: '2026-03-23T09:00:00Z' }),
      ],
    });
    await producer.disconnect();
    await waitFor(async () => (await count(`SELECT count(*) AS n FROM orchestrator.cases WHERE status = 'closed'`)) === 5, { timeoutMs: 30_000, description: 'five cases closed' });
    await setClock('2026-04-02T09:00:00Z');
    await setClock('2026-04-15T09:00:00Z');

    const results = await fetch(`${baseUrl}/experiments/collection-vs-friendly/results?asOf=2026-06-30T00:00:00Z`);
    expect(results.status).toBe(200);
    const body = (await results.json()) as { arms: { armId: string; cases: number }[] };
    expect(body.arms.map((arm) => arm.armId)).toEqual(['collection-as-before', 'friendly-sms', 'no-action']);
    // Every case was late on 22 March (segmentation day), before anyone paid: all are in the experiment.
    expect(body.arms.reduce((sum, arm) => sum + arm.cases, 0)).toBe(CUSTOMERS);
    expect((await fetch(`${baseUrl}/experiments/no-such-experiment/results`)).status).toBe(404);

    await waitFor(async () => (await count(`SELECT count(*) AS n FROM orchestrator.outbox WHERE published_at IS NULL`)) === 0, { timeoutMs: 30_000, description: 'the outbox published' });
    await service?.stop(30_000);

    const snapshot = async () => ({
      cases: (await db.query(`SELECT case_id, customer_id, status, stream_version, state, segment_id, experiment_id, arm_id FROM orchestrator.cases ORDER BY case_id`)).rows,
      customers: (await db.query(`SELECT customer_id, payment_dates, terminated_at FROM orchestrator.customers ORDER BY customer_id`)).rows,
      timers: (await db.query(`SELECT timer_id, status, fire_count FROM orchestrator.timers ORDER BY timer_id`)).rows,
      outbox: await count(`SELECT count(*) AS n FROM orchestrator.outbox`),
      events: await count(`SELECT count(*) AS n FROM orchestrator.events`),
    });
    const live = await snapshot();
    expect(live.cases.filter((row) => (row as { arm_id: string | null }).arm_id !== null).length).toBeGreaterThan(0);
    const recordsBefore = (await readTopicWithKcat(topics.actions)).length;
    expect(recordsBefore).toBeGreaterThan(CUSTOMERS);

    // Replay with the service's own handler: the projection is emptied and re-derived.
    const pool = new Pool({ connectionString: databaseUrl, max: 4 });
    try {
      const policy = parsePolicy(readFileSync(path.join(repoRoot, 'apps/dunning-orchestrator/policies/seeds-experiment.yaml'), 'utf8'));
      const processor = new CaseProcessor({ eventStore: new EventStore({ schema: 'orchestrator' }), schema: 'orchestrator', gateway: new DunningGateway(topics.actions), policy, calendar: new DateHolidaysCalendar() });
      expect(await count(`SELECT count(*) AS n FROM orchestrator.cases`)).toBe(CUSTOMERS);
      const summary = await replayProjection({
        kafka,
        pool,
        topic: [topics.invoices, topics.scores, topics.deliveries, topics.collectionCases],
        groupId: group,
        schema: 'messaging',
        decode: inputDecoder(topics),
        handle: caseProjector(processor, new SystemClock()),
        reset: async (tx) => {
          await tx.query('TRUNCATE orchestrator.cases, orchestrator.customers');
        },
      });
      expect(summary.endOffsets.size).toBeGreaterThan(0);
    } finally {
      await pool.end();
    }
    const rebuilt = await snapshot();
    expect(rebuilt.cases).toEqual(live.cases);
    expect(rebuilt.customers).toEqual(live.customers);
    expect(rebuilt.timers).toEqual(live.timers);
    expect(rebuilt.outbox).toBe(live.outbox);
    expect(rebuilt.events).toBe(live.events);
    expect((await readTopicWithKcat(topics.actions)).length).toBe(recordsBefore);
  });
});
