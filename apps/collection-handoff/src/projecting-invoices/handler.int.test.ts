import type { Pool } from 'pg';
import type { DunningEvent, InvoicingEvent } from '@dunning/contracts';
import { inTransaction, type SqlClient } from '@dunning/messaging';
import { CheckHandoff } from '../checking-handoffs/check-handoff';
import { collectionCaseIdFor } from '../ids';
import { RegisterHandoffRequests } from '../registering-handoff-requests/handler';
import { dropSchema, freshCollectionSchema, invoiceOpened, paymentApplied, stores, testPool } from '../../test-support/postgres';
import { ProjectInvoices } from './handler';

// A chunk of consumed events is folded in memory and written once (one locking read, one upsert of
// the views, one of the profiles): it must leave exactly what the same events leave one transaction
// each — customer events between invoice events, a recall in the middle, duplicates, terminations.

const T = '2026-05-10T06:00:00Z';
const envelope = (type: string, id: string, data: Record<string, unknown>): InvoicingEvent => ({ specversion: '1.0', id, source: 'urn:dunning:invoicing', type, time: T, data }) as unknown as InvoicingEvent;
const customerUpdated = (customerId: string, country: string, timeZone: string): InvoicingEvent =>
  envelope('invoicing.customer.updated.v1', `cu-${customerId}-${country}`, { customerId, updatedAt: T, customer: { type: 'business', locale: 'sv-SE', timeZone, country, reachableChannels: [] } });
const customerTerminated = (customerId: string): InvoicingEvent => envelope('invoicing.customer.terminated.v1', `ct-${customerId}`, { customerId, terminatedAt: T });

const handoffRequested = (invoiceId: string, customerId: string): DunningEvent =>
  ({
    specversion: '1.0',
    id: `req-${invoiceId}`,
    source: 'urn:dunning:dunning-orchestrator',
    type: 'dunning.handoff.requested.v1',
    time: T,
    data: { actionId: `act-${invoiceId}`, caseId: `case-${invoiceId}`, invoiceId, customerId, requestedAt: T, amountDue: { minor: 29_900, currency: 'SEK' }, stepId: 'collection', policyVersion: 'p@1' },
  }) as DunningEvent;

/** Counts the statements a handler sends through its transaction. */
function counting(tx: SqlClient): { client: SqlClient; count: () => number } {
  let n = 0;
  return { client: { query: (text, values) => ((n += 1), tx.query(text, values)) }, count: () => n };
}

describe('projecting a chunk of invoicing events at once', () => {
  let pool: Pool;
  const schemas: string[] = [];
  const clock = () => new Date(T);
  const creditor = { name: 'Telco AB', address: 'Gatan 1', registrationId: '556000-0000' };

  beforeAll(async () => {
    pool = await testPool(4);
  });
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(pool, schema);
    await pool.end();
  });

  /** A schema where inv-1 (cust-1) is approved for hand-off, i.e. held by a case, and inv-3 (cust-1) is open. */
  async function prepared() {
    const schema = await freshCollectionSchema(pool);
    schemas.push(schema);
    const { projections, cases } = stores(schema, clock);
    const projector = new ProjectInvoices({ projections, cases, clock });
    const register = new RegisterHandoffRequests({ cases });
    const check = new CheckHandoff({ pool, cases, projections, clock, routeFor: () => ({ agencyId: 'agency-se', channel: 'api', daysToPay: 10, creditor }), maxWaitForInvoiceMs: 60_000, recheckAfterMs: 1_000 });
    await inTransaction(pool, async (tx) => {
      await projector.apply(tx, invoiceOpened('inv-1', 'cust-1', { dueDate: '2026-03-01' }));
      await projector.apply(tx, invoiceOpened('inv-3', 'cust-1'));
      await register.register(tx, handoffRequested('inv-1', 'cust-1'));
    });
    expect(await check.run(collectionCaseIdFor('act-inv-1'), 'inv-1')).toMatchObject({ outcome: 'approved' });
    return { schema, projector };
  }

  const everything = async (schema: string) => ({
    projection: (await pool.query(`SELECT invoice_id, customer_id, view, active_case_id FROM "${schema}".invoice_projection ORDER BY invoice_id`)).rows,
    profiles: (await pool.query(`SELECT customer_id, profile, terminated_at FROM "${schema}".customer_profiles ORDER BY customer_id`)).rows,
    cases: (await pool.query(`SELECT collection_case_id, status, pending_work, state FROM "${schema}".cases ORDER BY collection_case_id`)).rows,
    outbox: (await pool.query(`SELECT headers->>'ce_type' AS type, convert_from(payload, 'UTF8') AS payload FROM "${schema}".outbox ORDER BY position`)).rows,
  });

  const chunk: InvoicingEvent[] = [
    customerUpdated('cust-2', 'SE', 'Europe/Stockholm'), // no invoice yet
    invoiceOpened('inv-2', 'cust-2'),
    paymentApplied('inv-1', 'cust-1', 9_900, 20_000), // inv-1 is held: the case is withdrawn, the invoice released
    paymentApplied('inv-1', 'cust-1', 20_000, 0), // nobody holds it any more: no second recall
    customerUpdated('cust-1', 'DE', 'Europe/Berlin'), // inv-1 and inv-3 (not otherwise in the chunk) take the new facts
    invoiceOpened('inv-2', 'cust-2'), // a duplicate
    customerTerminated('cust-2'),
    invoiceOpened('inv-4', 'cust-1'), // after the profile change: keeps its own facts
    customerUpdated('cust-1', 'FI', 'Europe/Helsinki'), // now inv-4 too
    customerTerminated('cust-3'), // never seen: an empty profile
  ];

  it('leaves what one transaction per event leaves, and reports the same changes', async () => {
    const one = await prepared();
    const oneByOne = [];
    for (const event of chunk) oneByOne.push(...(await inTransaction(pool, (tx) => one.projector.apply(tx, event))));
    const all = await prepared();
    const atOnce = await inTransaction(pool, (tx) => all.projector.applyAll(tx, chunk));

    const strip = (changes: { invoiceId: string; recall?: unknown }[]) => changes.map(({ invoiceId, recall }) => ({ invoiceId, recall }));
    expect(strip(atOnce)).toEqual(strip(oneByOne));
    expect(atOnce.find((c) => c.recall)?.recall).toEqual({ collectionCaseId: collectionCaseIdFor('act-inv-1'), outcome: 'withdrawn' });
    const [expected, actual] = [await everything(one.schema), await everything(all.schema)];
    expect(actual).toEqual(expected);
    // The fold did happen (the comparison is not between two empty tables).
    expect(actual.projection.map((r) => [r.invoice_id, r.view.customer.country, r.view.status, r.active_case_id])).toEqual([
      ['inv-1', 'FI', 'settled', null],
      ['inv-2', 'SE', 'open', null],
      ['inv-3', 'FI', 'open', null],
      ['inv-4', 'FI', 'open', null],
    ]);
    expect(actual.profiles.map((r) => [r.customer_id, r.profile.country ?? null, r.terminated_at !== null])).toEqual([
      ['cust-1', 'FI', false],
      ['cust-2', 'SE', true],
      ['cust-3', null, true],
    ]);
    expect(actual.cases.map((r) => r.status)).toEqual(['cancelled']);
  });

  it('costs four statements a chunk without a recall, however many events it holds (three without new invoices)', async () => {
    const { projector } = await prepared();
    const events: InvoicingEvent[] = [];
    for (let i = 0; i < 50; i++) events.push(customerUpdated(`c-${i}`, 'SE', 'Europe/Stockholm'), invoiceOpened(`i-${i}`, `c-${i}`), paymentApplied(`i-${i}`, `c-${i}`, 9_900, 20_000), paymentApplied(`i-${i}`, `c-${i}`, 20_000, 0));
    const counted = await inTransaction(pool, async (tx) => {
      const c = counting(tx);
      const changes = await projector.applyAll(c.client, events);
      return { statements: c.count(), changes: changes.length };
    });
    expect(counted).toEqual({ statements: 4, changes: 150 }); // lock, profiles, views, waiting checks of the new invoices
    const later = await inTransaction(pool, async (tx) => {
      const c = counting(tx);
      await projector.applyAll(c.client, events.filter((e) => e.type === 'invoicing.payment.applied.v1' || e.type === 'invoicing.customer.updated.v1'));
      return c.count();
    });
    expect(later).toBe(3);
  });

  it('a request that came before its invoice is checked as soon as the invoice arrives, after the commit', async () => {
    const schema = await freshCollectionSchema(pool);
    schemas.push(schema);
    const { projections, cases } = stores(schema, clock);
    const woken: { topic: string; partition: number }[] = [];
    const projector = new ProjectInvoices({ projections, cases, clock, onWorkDue: (chunk) => void woken.push({ topic: chunk.topic, partition: chunk.partition }) });
    const check = new CheckHandoff({ pool, cases, projections, clock, routeFor: () => ({ agencyId: 'agency-se', channel: 'api', daysToPay: 10, creditor }), maxWaitForInvoiceMs: 3_600_000, recheckAfterMs: 30_000 });
    await inTransaction(pool, (tx) => new RegisterHandoffRequests({ cases }).register(tx, handoffRequested('inv-late', 'cust-late')));
    const caseId = collectionCaseIdFor('act-inv-late');
    expect(await check.run(caseId, 'inv-late')).toEqual({ outcome: 'waiting' });
    expect(await cases.anyDue(pool, ['agency-se'])).toBe(false); // 30 s later; a simulated clock may stand still until then

    const consumed = (value: InvoicingEvent) => ({ value, topic: 'invoices', partition: 2, offset: '0', key: null, headers: {}, timestamp: '0', traceContext: {} }) as never;
    const context = { mode: 'live' as const, groupId: 'g', topic: 'invoices', partition: 2, heartbeat: async () => undefined };
    await inTransaction(pool, (tx) => projector.handle([consumed(invoiceOpened('inv-other', 'cust-other'))], tx, context));
    expect(woken).toEqual([]); // nobody waited for that one
    await inTransaction(pool, (tx) => projector.handle([consumed(invoiceOpened('inv-late', 'cust-late', { dueDate: '2026-03-01' }))], tx, context));
    expect(woken).toEqual([{ topic: 'invoices', partition: 2 }]);
    expect(await cases.anyDue(pool, ['agency-se'])).toBe(true);
    expect(await check.run(caseId, 'inv-late')).toMatchObject({ outcome: 'approved' });
  });
});
