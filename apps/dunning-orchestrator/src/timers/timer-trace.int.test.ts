import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { kafkaBrokers, waitFor } from '@dunning/testing';
import { invoiceOpened } from '../test-support/orchestrator-inputs';
import { orchestratorInfrastructure, startOrchestrator, type OrchestratorProcess } from '../test-support/orchestrator-process';

/**
 * A reminder planned ahead continues the trace of the invoice event that planned it: the timer
 * stores the trace context active when it is scheduled, and the poller fires it inside a span
 * whose parent is that context, so the action's outbox row (and the Kafka record the relay sends
 * from it) carry the invoice's trace id. The real service process, real broker and database,
 * telemetry on (no exporter), simulated clock.
 */
const infrastructure = orchestratorInfrastructure('orchtrace');
const { databaseUrl, topics } = infrastructure;

const traceIdOf = (traceparent: string | null | undefined): string | undefined => traceparent?.split('-')[1];

describe('timers continue the trace they were scheduled in (real broker and database)', () => {
  const db = new Client({ connectionString: databaseUrl });
  let service: OrchestratorProcess | undefined;

  beforeAll(async () => {
    await infrastructure.create(1);
    await db.connect();
    service = await startOrchestrator(infrastructure, {
      env: {
        ORCHESTRATOR_TIMER_POLL_MS: '50',
        // Telemetry on, exporting nowhere: spans get real ids and context flows.
        OTEL_SDK_DISABLED: 'false',
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_METRICS_EXPORTER: 'none',
      },
    });
  });

  afterAll(async () => {
    await service?.kill9();
    await db.end();
    await infrastructure.drop();
  });

  const alive = () => service?.alive();

  it("fires a reminder planned weeks ahead in the invoice event's trace", async () => {
    const invoiceTraceId = randomBytes(16).toString('hex');
    const invoiceTraceparent = `00-${invoiceTraceId}-${randomBytes(8).toString('hex')}-01`;
    const record = invoiceOpened('traced');
    const kafka = new Kafka({ clientId: 'it-producer', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: topics.invoices, messages: [{ key: record.key, value: record.value, headers: { ...record.headers, traceparent: invoiceTraceparent } }] });
    await producer.disconnect();

    // Scheduled while the consumed record's span was active: the timer row keeps that trace.
    const pending = await waitFor(
      async () => {
        alive();
        const { rows } = await db.query<{ traceparent: string | null }>(`SELECT traceparent FROM orchestrator.timers WHERE status = 'pending'`).catch(() => ({ rows: [] }));
        return rows[0];
      },
      { timeoutMs: 90_000, description: 'the case with its first timer' },
    );
    expect(traceIdOf(pending.traceparent)).toBe(invoiceTraceId);

    // Weeks later (simulated): the soft reminder falls due and the poller fires it.
    // (Moved through the admin endpoint, which fires the due timers at once.)
    await service!.setClock('2026-03-28T09:30:00Z');
    const reminder = await waitFor(
      async () => {
        alive();
        const { rows } = await db.query<{ headers: Record<string, string> }>(
          `SELECT headers FROM orchestrator.outbox WHERE headers->>'ce_type' = 'dunning.reminder.requested.v1'`,
        );
        return rows[0];
      },
      { timeoutMs: 60_000, description: "the reminder's outbox row" },
    );
    expect(traceIdOf(reminder.headers['traceparent'])).toBe(invoiceTraceId);
    // A child of the stored context (the fire span), not the invoice producer's span itself.
    expect(reminder.headers['traceparent']).not.toBe(invoiceTraceparent);

    // The timer the firing scheduled in turn (the due-date notice) stays in the same trace.
    const { rows: next } = await db.query<{ traceparent: string | null }>(`SELECT traceparent FROM orchestrator.timers WHERE status = 'pending'`);
    expect(next.length).toBeGreaterThan(0);
    for (const timer of next) expect(traceIdOf(timer.traceparent)).toBe(invoiceTraceId);
  });
});
