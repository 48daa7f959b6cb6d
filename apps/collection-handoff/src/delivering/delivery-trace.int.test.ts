import { randomBytes } from 'node:crypto';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import type { Pool } from 'pg';
import type { DunningEvent } from '@dunning/contracts';
import { inTransaction } from '@dunning/messaging';
import { extractTraceContext, startTelemetry, type TelemetryHandle } from '@dunning/telemetry';
import { RestAgency } from '../agency/rest-agency';
import { CheckHandoff } from '../checking-handoffs/check-handoff';
import { ProjectInvoices } from '../projecting-invoices/handler';
import { RegisterHandoffRequests } from '../registering-handoff-requests/handler';
import { dropSchema, freshCollectionSchema, invoiceOpened, stores, testPool } from '../../test-support/postgres';
import { AgencyMock, ensureWireMock } from '../../test-support/wiremock';
import { DeliveryWorker } from './delivery-worker';

// The worker checks and delivers a claim after the hand-off request was consumed, outside its
// consumer span. The case row keeps the request's trace context, and the worker runs the case's
// work under it: the `collection.cases.v1` event it writes carries the request's trace id.

const traceIdOf = (traceparent: string | undefined): string | undefined => traceparent?.split('-')[1];

describe('delivery worker: the claim continues the hand-off request trace', () => {
  let telemetry: TelemetryHandle;
  let pool: Pool;
  let schema: string;
  let mock: AgencyMock;
  const clock = () => new Date('2026-05-10T06:00:00Z');

  beforeAll(async () => {
    // Tracer provider and context manager for this process; no exporter variable, so silent.
    telemetry = startTelemetry({ serviceName: 'collection-handoff-trace-it' });
    pool = await testPool(4);
    await ensureWireMock();
    schema = await freshCollectionSchema(pool);
    mock = new AgencyMock();
  });
  afterAll(async () => {
    await mock?.cleanUp();
    await dropSchema(pool, schema);
    await pool.end();
    await telemetry.shutdown();
  });

  it("delivers the claim in the request's trace and writes collection.case.opened.v1 in it", async () => {
    await mock.stub({ method: 'POST', url: '/claims', status: 201, jsonBody: { reference: 'AG-T' } });
    const { projections, cases } = stores(schema, clock);
    const routeFor = () => ({ agencyId: 'agency-se', channel: 'api' as const, daysToPay: 10 });
    const check = new CheckHandoff({ pool, cases, projections, clock, routeFor, maxWaitForInvoiceMs: 60_000, recheckAfterMs: 1_000 });
    const gateway = new RestAgency({ agencyId: 'agency-se', baseUrl: mock.baseUrl, timeoutMs: 500, maxAttempts: 2, sleep: async () => undefined });
    const worker = new DeliveryWorker({ pool, schema, cases, check, gateways: new Map([['agency-se', gateway]]), clock, retryBaseMs: 1_000 });
    const projector = new ProjectInvoices({ projections, cases, clock });
    const register = new RegisterHandoffRequests({ cases });

    const requestTraceId = randomBytes(16).toString('hex');
    const requestTraceparent = `00-${requestTraceId}-${randomBytes(8).toString('hex')}-01`;
    const request = {
      specversion: '1.0',
      id: 'req-t',
      source: 'urn:dunning:dunning-orchestrator',
      type: 'dunning.handoff.requested.v1',
      time: '2026-05-10T05:59:00Z',
      data: { actionId: 'act-t', caseId: 'case-t', invoiceId: 'inv-t', customerId: 'cust-t', requestedAt: '2026-05-10T05:59:00Z', amountDue: { minor: 29_900, currency: 'SEK' }, stepId: 'collection', policyVersion: 'p@1' },
    } as DunningEvent;
    await inTransaction(pool, (tx) => projector.apply(tx, invoiceOpened('inv-t', 'cust-t')));
    // As the consumer registers it: inside the request record's context.
    await context.with(extractTraceContext({ traceparent: requestTraceparent }, ROOT_CONTEXT), () => inTransaction(pool, (tx) => register.register(tx, request)));
    const stored = await pool.query<{ traceparent: string | null }>(`SELECT traceparent FROM "${schema}".cases`);
    expect(traceIdOf(stored.rows[0]?.traceparent ?? undefined)).toBe(requestTraceId);

    // Later, from the worker's loop (no active context): check, then deliver.
    expect(await context.with(ROOT_CONTEXT, () => worker.runOnce())).toMatchObject({ delivered: 1 });
    const rows = (await pool.query<{ type: string; traceparent: string }>(`SELECT headers->>'ce_type' AS type, headers->>'traceparent' AS traceparent FROM "${schema}".outbox ORDER BY position`)).rows;
    const opened = rows.find((r) => r.type === 'collection.case.opened.v1');
    expect(opened?.type).toBe('collection.case.opened.v1');
    expect(traceIdOf(opened?.traceparent)).toBe(requestTraceId);
    expect(rows.every((r) => traceIdOf(r.traceparent) === requestTraceId)).toBe(true);
  });
});
