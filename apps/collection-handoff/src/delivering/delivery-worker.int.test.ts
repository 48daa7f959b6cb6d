import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Pool } from 'pg';
import type { DunningEvent } from '@dunning/contracts';
import { inTransaction } from '@dunning/messaging';
import type { AgencyBatch, AgencyGateway, BatchReceipt } from '../agency/agency-gateway';
import { BatchFileAgency } from '../agency/batch-file-agency';
import { RestAgency } from '../agency/rest-agency';
import { CheckHandoff } from '../checking-handoffs/check-handoff';
import { collectionCaseIdFor, handoffIdFor } from '../ids';
import { ProjectInvoices } from '../projecting-invoices/handler';
import { RegisterHandoffRequests } from '../registering-handoff-requests/handler';
import { dropSchema, freshCollectionSchema, invoiceOpened, paymentApplied, stores, testPool } from '../../test-support/postgres';
import { AgencyMock, ensureWireMock } from '../../test-support/wiremock';
import { DeliveryWorker } from './delivery-worker';

// Agency faults through the whole delivery path (PostgreSQL + the WireMock agency): a crash between
// sending and recording, an agency that is down, a payment while the claim is in flight, a file
// cut-off re-run after a crash. Nothing is lost and no case is opened twice.

const creditor = { name: 'Telco GmbH', address: 'Beispielstraße 1, 10115 Berlin', registrationId: 'HRB 1' };

function request(n: number, invoiceId: string, customerId: string, currency = 'SEK', minor = 29_900): DunningEvent {
  return {
    specversion: '1.0',
    id: `req-${n}`,
    source: 'urn:dunning:dunning-orchestrator',
    type: 'dunning.handoff.requested.v1',
    time: '2026-05-10T05:59:00Z',
    data: { actionId: `act-${n}`, caseId: `case-${n}`, invoiceId, customerId, requestedAt: '2026-05-10T05:59:00Z', amountDue: { minor, currency }, stepId: 'collection', policyVersion: 'p@1' },
  } as DunningEvent;
}

/** Lets the real gateway send, then fails as if the process died before recording the answer. */
class CrashAfterSend implements AgencyGateway {
  crashes = 1;
  constructor(private readonly inner: AgencyGateway) {}
  get agencyId() {
    return this.inner.agencyId;
  }
  get channel() {
    return this.inner.channel;
  }
  async send(batch: AgencyBatch): Promise<BatchReceipt> {
    const receipt = await this.inner.send(batch);
    if (this.crashes-- > 0) throw new Error('simulated crash after the agency answered');
    return receipt;
  }
  listCases() {
    return this.inner.listCases();
  }
}

describe('delivery worker: agency faults lose nothing and open no case twice', () => {
  let pool: Pool;
  let schema: string;
  let mock: AgencyMock;
  let now: number;
  const clock = () => new Date(now);

  beforeAll(async () => {
    pool = await testPool(6);
    await ensureWireMock();
  });
  afterAll(async () => {
    await pool.end();
  });
  beforeEach(async () => {
    now = Date.parse('2026-05-10T06:00:00Z');
    schema = await freshCollectionSchema(pool);
    mock = new AgencyMock();
  });
  afterEach(async () => {
    await mock.cleanUp();
    await dropSchema(pool, schema);
  });

  function wire(gateways: Map<string, AgencyGateway>, logger?: ConstructorParameters<typeof DeliveryWorker>[0]['logger']) {
    const { projections, cases } = stores(schema, clock);
    const routeFor = (country: string | undefined) =>
      country === 'DE' ? { agencyId: 'agency-de', channel: 'batch' as const, daysToPay: 14, creditor } : { agencyId: 'agency-se', channel: 'api' as const, daysToPay: 10 };
    const check = new CheckHandoff({ pool, cases, projections, clock, routeFor, maxWaitForInvoiceMs: 60_000, recheckAfterMs: 1_000 });
    const worker = new DeliveryWorker({ pool, schema, cases, check, gateways, clock, retryBaseMs: 1_000, logger });
    const projector = new ProjectInvoices({ projections, cases, clock });
    const register = new RegisterHandoffRequests({ cases });
    return { cases, worker, projector, register };
  }

  const rest = () => new RestAgency({ agencyId: 'agency-se', baseUrl: mock.baseUrl, timeoutMs: 500, maxAttempts: 2, sleep: async () => undefined });

  async function opened(w: ReturnType<typeof wire>, n: number, options: Parameters<typeof invoiceOpened>[2] = {}) {
    const invoiceId = `inv-${n}`;
    const customerId = `cust-${n}`;
    await inTransaction(pool, async (tx) => {
      await w.projector.apply(tx, invoiceOpened(invoiceId, customerId, options));
      await w.register.register(tx, request(n, invoiceId, customerId, options.currency, options.minor));
    });
    return { invoiceId, customerId, caseId: collectionCaseIdFor(`act-${n}`), handoffId: handoffIdFor(`act-${n}`) };
  }

  const outboxTypes = async (): Promise<string[]> =>
    (await pool.query<{ type: string }>(`SELECT headers->>'ce_type' AS type FROM "${schema}".outbox ORDER BY position`)).rows.map((r) => r.type);

  it('a crash after the agency stored the claim: the next pass re-sends with the same key, gets 409, opens one case', async () => {
    await mock.stub({ method: 'POST', url: '/claims', scenario: { name: 'c', requiredState: 'Started', newState: 'stored' }, status: 201, jsonBody: { reference: 'AG-1' } });
    await mock.stub({ method: 'POST', url: '/claims', scenario: { name: 'c', requiredState: 'stored' }, status: 409, jsonBody: { reference: 'AG-1' } });
    const crashing = new CrashAfterSend(rest());
    const w = wire(new Map([['agency-se', crashing]]));
    const { invoiceId, caseId, handoffId } = await opened(w, 1);

    await expect(w.worker.runOnce()).rejects.toThrow('simulated crash');
    const [afterCrash] = await w.cases.ofInvoice(pool, invoiceId);
    expect([afterCrash!.status, afterCrash!.delivery?.channel]).toEqual(['checked', 'api']);

    await w.worker.runOnce();
    const [state] = await w.cases.ofInvoice(pool, invoiceId);
    expect(state).toMatchObject({ collectionCaseId: caseId, status: 'handed-off', handedOff: { agencyReference: 'AG-1' } });
    const keys = (await mock.requests('POST', '/claims')).map((r) => r.headers['idempotency-key']);
    expect(keys).toEqual([handoffId, handoffId]);
    expect(await outboxTypes()).toEqual(['collection.case.opened.v1']);
  });

  it('an agency down (5xx, timeouts) postpones with backoff and delivers once when it is back', async () => {
    await mock.stub({ method: 'POST', url: '/claims', status: 503 });
    const w = wire(new Map([['agency-se', rest()]]));
    const { invoiceId } = await opened(w, 2);
    expect(await w.worker.runOnce()).toMatchObject({ checked: 1, delivered: 0, postponed: 1 });
    const row = await pool.query<{ attempts: number; next_attempt_at: Date; last_error: string }>(`SELECT attempts, next_attempt_at, last_error FROM "${schema}".cases`);
    expect(row.rows[0]).toMatchObject({ attempts: 1, last_error: 'HTTP 503 after 2 attempts' });
    expect(row.rows[0]!.next_attempt_at.getTime()).toBe(now + 1_000);

    // Not due yet: nothing is sent.
    expect(await w.worker.runOnce()).toMatchObject({ delivered: 0, postponed: 0 });
    // The agency answers slowly now (a timeout), but stores the claim; then it is healthy.
    await mock.cleanUp();
    await mock.stub({ method: 'POST', url: '/claims', scenario: { name: 's', requiredState: 'Started', newState: 'stored' }, status: 201, jsonBody: { reference: 'AG-2' }, fixedDelayMilliseconds: 1_500 });
    await mock.stub({ method: 'POST', url: '/claims', scenario: { name: 's', requiredState: 'stored' }, status: 200, jsonBody: { reference: 'AG-2' } });
    now += 1_000;
    expect(await w.worker.runOnce()).toMatchObject({ delivered: 1 });
    const [state] = await w.cases.ofInvoice(pool, invoiceId);
    expect(state).toMatchObject({ status: 'handed-off', handedOff: { agencyReference: 'AG-2' } });
    expect(await mock.requests('POST', '/claims')).toHaveLength(2 + 2); // 2 × 503, then timeout + 200
    expect(await outboxTypes()).toEqual(['collection.case.opened.v1']);
  });

  it('a payment while the claim is in flight: the case is handed off, then recalled (promise 2)', async () => {
    await mock.stub({ method: 'POST', url: '/claims', status: 201, jsonBody: { reference: 'AG-3' } });
    await mock.stub({ method: 'POST', urlPattern: '/claims/.*/recall', status: 202 });
    const late: { w?: ReturnType<typeof wire>; invoice?: { invoiceId: string; customerId: string } } = {};
    const inner = rest();
    const payingMidway: AgencyGateway = {
      agencyId: 'agency-se',
      channel: 'api',
      send: async (batch) => {
        const { w: wired, invoice: paying } = late;
        if (batch.claims.length > 0 && wired && paying) await inTransaction(pool, (tx) => wired.projector.apply(tx, paymentApplied(paying.invoiceId, paying.customerId, 29_900, 0, '2026-05-10T06:00:01Z')));
        return inner.send(batch);
      },
      listCases: () => inner.listCases(),
    };
    const w = wire(new Map([['agency-se', payingMidway]]));
    const invoice = await opened(w, 3);
    Object.assign(late, { w, invoice });
    expect(await w.worker.runOnce()).toMatchObject({ checked: 1, delivered: 1 });
    expect((await w.cases.ofInvoice(pool, invoice.invoiceId))[0]).toMatchObject({ status: 'handed-off', recall: { reason: 'paid' } });
    expect(await w.worker.runOnce()).toMatchObject({ recalled: 1 });
    expect((await w.cases.ofInvoice(pool, invoice.invoiceId))[0]).toMatchObject({ status: 'recalled' });
    const [recallRequest] = await mock.requests('POST', `/claims/${invoice.handoffId}/recall`);
    expect(recallRequest!.headers['idempotency-key']).toBe(`recall-${invoice.handoffId}`);
    expect(await outboxTypes()).toEqual(['collection.case.opened.v1', 'collection.case.recalled.v1']);
    const active = await pool.query(`SELECT active_case_id FROM "${schema}".invoice_projection WHERE invoice_id = $1`, [invoice.invoiceId]);
    expect(active.rows[0]).toEqual({ active_case_id: null });
  });

  it('a file cut-off interrupted after writing is re-run into the same file; a payment before the cut-off keeps the case out', async () => {
    const dropDir = await fs.mkdtemp(path.join(os.tmpdir(), 'collection-cutoff-'));
    try {
      const crashing = new CrashAfterSend(new BatchFileAgency({ agencyId: 'agency-de', dropDir }));
      const w = wire(new Map<string, AgencyGateway>([['agency-de', crashing]]));
      const de = { country: 'DE', currency: 'EUR', minor: 100_000, type: 'business' as const, timeZone: 'Europe/Berlin', dueDate: '2026-04-20' };
      const first = await opened(w, 4, de);
      const paid = await opened(w, 5, de);
      expect(await w.worker.runOnce()).toMatchObject({ checked: 2 });
      // Paid after the check, before the cut-off: withdrawn, never in a file.
      await inTransaction(pool, (tx) => w.projector.apply(tx, paymentApplied(paid.invoiceId, paid.customerId, 100_000, 0, '2026-05-10T07:00:00Z', 'EUR')));

      const cutoffAt = new Date('2026-05-10T16:00:00Z');
      await expect(w.worker.runCutoff('agency-de', cutoffAt, '20260510T1600Z')).rejects.toThrow('simulated crash');
      const written = await fs.readFile(path.join(dropDir, 'agency-de_20260510T1600Z.jsonl'));
      expect(await w.worker.runCutoff('agency-de', cutoffAt, '20260510T1600Z')).toEqual({ written: false, claims: 0, recalls: 0 });
      expect((await fs.readdir(dropDir)).sort()).toEqual(['agency-de_20260510T1600Z.jsonl', 'agency-de_20260510T1600Z.manifest.json']);
      expect((await fs.readFile(path.join(dropDir, 'agency-de_20260510T1600Z.jsonl'))).equals(written)).toBe(true);
      const lines = written.toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { handoffId: string; interest: { amount: { minor: number } }; costs: unknown[] });
      expect(lines.map((l) => l.handoffId)).toEqual([first.handoffId]);
      expect(lines[0]!.costs).toHaveLength(1); // the 40 EUR flat fee: a business customer
      expect((await w.cases.ofInvoice(pool, first.invoiceId))[0]).toMatchObject({ status: 'handed-off', handedOff: { via: 'batch' } });
      expect((await w.cases.ofInvoice(pool, paid.invoiceId))[0]).toMatchObject({ status: 'cancelled', withdrawn: { reason: 'paid' } });
      expect((await outboxTypes()).sort()).toEqual(['collection.case.opened.v1', 'collection.handoff.cancelled.v1']);
    } finally {
      await fs.rm(dropDir, { recursive: true, force: true });
    }
  });

  it('promise 7: debtor contact details reach the agency and nowhere else (tables, events, outbox, logs)', async () => {
    await mock.stub({ method: 'POST', url: '/claims', scenario: { name: 'p7', requiredState: 'Started', newState: 'down' }, status: 503 });
    await mock.stub({ method: 'POST', url: '/claims', scenario: { name: 'p7', requiredState: 'down' }, status: 201, jsonBody: { reference: 'AG-7' } });
    const canary = { name: 'Canary Debtorsson', postalAddress: 'Kanariegatan 7, 111 22 Stockholm', email: 'canary.debtor@example.org', phone: '+46700000007' };
    const logs: string[] = [];
    const logger = { info: (m: string, f?: Record<string, unknown>) => void logs.push(m + JSON.stringify(f ?? {})), warn: (m: string, f?: Record<string, unknown>) => void logs.push(m + JSON.stringify(f ?? {})) };
    const agency = new RestAgency({ agencyId: 'agency-se', baseUrl: mock.baseUrl, maxAttempts: 1, sleep: async () => undefined, debtors: { contactOf: async () => canary } });
    const w = wire(new Map([['agency-se', agency]]), logger);
    const { invoiceId } = await opened(w, 7);
    expect(await w.worker.runOnce()).toMatchObject({ postponed: 1 });
    now += 1_000;
    expect(await w.worker.runOnce()).toMatchObject({ delivered: 1 });
    expect((await w.cases.ofInvoice(pool, invoiceId))[0]?.status).toBe('handed-off');

    const [, delivered] = await mock.requests('POST', '/claims');
    expect(JSON.parse(delivered!.body).debtor).toEqual(canary);
    const needles = ['Canary', 'Kanariegatan', 'canary.debtor', '+46700000007'];
    const stored = await pool.query<{ text: string }>(
      `SELECT string_agg(t, ' ') AS text FROM (
         SELECT data::text || metadata::text AS t FROM "${schema}".events
         UNION ALL SELECT state::text || coalesce(last_error, '') FROM "${schema}".cases
         UNION ALL SELECT convert_from(payload, 'UTF8') || headers::text FROM "${schema}".outbox
         UNION ALL SELECT view::text FROM "${schema}".invoice_projection) everything`,
    );
    expect(stored.rows[0]!.text.length).toBeGreaterThan(1_000); // the check reads real content
    for (const needle of needles) {
      expect(stored.rows[0]!.text).not.toContain(needle);
      expect(logs.join('\n')).not.toContain(needle);
    }
    expect(logs.join('\n')).toContain('agency delivery postponed'); // the logger was in use
  });
});
