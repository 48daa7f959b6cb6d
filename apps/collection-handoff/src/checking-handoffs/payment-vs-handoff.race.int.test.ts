import type { Pool } from 'pg';
import { inTransaction } from '@dunning/messaging';
import type { CollectionCase, InvoiceView } from '../domain';
import { collectionCaseIdFor } from '../ids';
import { ProjectInvoices, type AppliedChange } from '../projecting-invoices/handler';
import { RegisterHandoffRequests } from '../registering-handoff-requests/handler';
import { dropSchema, freshCollectionSchema, invoiceCredited, invoiceDisputed, invoiceOpened, paymentApplied, stores, testPool } from '../../test-support/postgres';
import { CheckHandoff, type CheckOutcome } from './check-handoff';
import type { DunningEvent } from '@dunning/contracts';

// Promise 2, the must-show race: a payment and a hand-off for the same invoice at the same moment,
// as concurrent PostgreSQL transactions (the projection update of the payment vs the hand-off
// check), 1,008 times. No invoice may be both paid before the hand-off and handed off. As many
// pairs again race a credit to zero, and as many a dispute: the promise covers those too.

const PAIRS_PER_ROUND = 12;
/** 0: payment in full, 1: credit to zero, 2: dispute — cycling so each meets both start orders. */
const kindOf = (i: number): number => Math.floor(i / 2) % 3;
const ROUNDS = 252; // 12 × 252 = 3,024 races: 1,008 with a payment, 1,008 with a credit, 1,008 with a dispute
const clock = () => new Date('2026-05-10T06:00:00Z');
const route = () => ({ agencyId: 'agency-se', channel: 'api' as const, daysToPay: 10 });

function handoffRequested(actionId: string, invoiceId: string, customerId: string): DunningEvent {
  return {
    specversion: '1.0',
    id: `req-${actionId}`,
    source: 'urn:dunning:dunning-orchestrator',
    type: 'dunning.handoff.requested.v1',
    time: '2026-05-10T05:59:00Z',
    data: { actionId, caseId: `case-${invoiceId}`, invoiceId, customerId, requestedAt: '2026-05-10T05:59:00Z', amountDue: { minor: 29_900, currency: 'SEK' }, stepId: 'collection', policyVersion: 'se-consumer@3' },
  } as DunningEvent;
}

interface FinalState {
  readonly invoiceId: string;
  readonly view: InvoiceView;
  readonly activeCaseId: string | null;
  readonly state: CollectionCase;
}

/** The invariant, over what the database holds at the end: a paid, credited or disputed invoice is never at (or on the way to) an agency without a recall. */
function violations(finals: readonly FinalState[]): string[] {
  return finals
    .filter(({ view, state }) => (view.status === 'settled' || view.dispute !== 'none') && ['checked', 'handed-off', 'paid-at-agency'].includes(state.status) && !state.recall && !state.withdrawn)
    .map((f) => f.invoiceId);
}

describe('payment vs hand-off race (promise 2)', () => {
  let pool: Pool;
  let schema: string;
  beforeAll(async () => {
    pool = await testPool(PAIRS_PER_ROUND * 2 + 2);
  });
  afterAll(async () => {
    await pool.end();
  });
  beforeEach(async () => {
    schema = await freshCollectionSchema(pool);
  });
  afterEach(async () => {
    await dropSchema(pool, schema);
  });

  function wire(readInvoice?: ConstructorParameters<typeof CheckHandoff>[0]['readInvoiceForCheck']) {
    const { projections, cases } = stores(schema, clock);
    const projector = new ProjectInvoices({ projections, cases, clock });
    const register = new RegisterHandoffRequests({ cases });
    const check = new CheckHandoff({ pool, cases, projections, clock, routeFor: route, maxWaitForInvoiceMs: 60_000, recheckAfterMs: 1_000, readInvoiceForCheck: readInvoice });
    return { projections, cases, projector, register, check };
  }

  async function prepare(w: ReturnType<typeof wire>, n: number): Promise<{ invoiceId: string; customerId: string; caseId: string }> {
    const invoiceId = `inv-${n}`;
    const customerId = `cust-${n}`;
    await inTransaction(pool, async (tx) => {
      await w.projector.apply(tx, invoiceOpened(invoiceId, customerId));
      await w.register.register(tx, handoffRequested(`act-${n}`, invoiceId, customerId));
    });
    return { invoiceId, customerId, caseId: collectionCaseIdFor(`act-${n}`) };
  }

  async function finals(w: ReturnType<typeof wire>, invoiceIds: readonly string[]): Promise<FinalState[]> {
    const result: FinalState[] = [];
    for (const invoiceId of invoiceIds) {
      const row = await pool.query<{ view: InvoiceView; active_case_id: string | null }>(`SELECT view, active_case_id FROM "${schema}".invoice_projection WHERE invoice_id = $1`, [invoiceId]);
      const [state, ...more] = await w.cases.ofInvoice(pool, invoiceId);
      expect(more).toHaveLength(0);
      result.push({ invoiceId, view: row.rows[0]!.view, activeCaseId: row.rows[0]!.active_case_id, state: state! });
    }
    return result;
  }

  it('3,024 concurrent change/hand-off pairs (1,008 payments): never paid-then-handed-off, and the loser always sees the winner', async () => {
    const w = wire();
    let paymentFirst = 0;
    let handoffFirst = 0;
    const perKind = [0, 0, 0];
    const invoiceIds: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const pairs = await Promise.all(Array.from({ length: PAIRS_PER_ROUND }, (_, i) => prepare(w, round * PAIRS_PER_ROUND + i)));
      const results = await Promise.all(
        pairs.map(async ({ invoiceId, customerId, caseId }, i) => {
          const change = [paymentApplied(invoiceId, customerId, 29_900, 0), invoiceCredited(invoiceId, customerId, 29_900, 0), invoiceDisputed(invoiceId, customerId)][kindOf(i)]!;
          const pay = () => inTransaction(pool, (tx) => w.projector.apply(tx, change));
          const hand = () => w.check.run(caseId, invoiceId);
          // Alternate which transaction is started first; both are in flight together either way.
          const [payment, check] = i % 2 === 0 ? await Promise.all([pay(), hand()]) : await Promise.all([hand(), pay()]).then(([c, p]) => [p, c] as [AppliedChange[], CheckOutcome]);
          return { invoiceId, payment: payment[0]!, check, kind: kindOf(i) };
        }),
      );
      for (const { invoiceId, payment, check, kind } of results) {
        invoiceIds.push(invoiceId);
        perKind[kind]!++;
        if (check.outcome === 'approved') {
          // The hand-off committed first: the change came after it and withdrew the case before any delivery.
          expect(check.projectionVersion).toBeLessThan(payment.version);
          expect(payment.recall?.outcome).toBe('withdrawn');
          handoffFirst++;
        } else if (check.outcome === 'refused') {
          // The change committed first: the check saw it and refused.
          expect(check.reason).toBe(['invoice-settled', 'invoice-credited', 'invoice-disputed'][kind]);
          expect(check.projectionVersion).toBe(payment.version);
          expect(payment.recall).toBeUndefined();
          paymentFirst++;
        } else {
          throw new Error(`unexpected check outcome ${check.outcome}`);
        }
      }
    }
    const all = await finals(w, invoiceIds);
    expect(all).toHaveLength(PAIRS_PER_ROUND * ROUNDS);
    expect(violations(all)).toEqual([]);
    for (const f of all) {
      expect(f.view.status === 'settled' || f.view.dispute === 'open').toBe(true);
      expect(f.state.status).toBe('cancelled');
      expect(f.activeCaseId).toBeNull();
    }
    expect(perKind).toEqual([1_008, 1_008, 1_008]);
    // Both orders really happened: the test raced.
    expect(paymentFirst).toBeGreaterThan(0);
    expect(handoffFirst).toBeGreaterThan(0);
    // Nothing was opened; each case published exactly one cancellation.
    const outbox = await pool.query<{ type: string; n: string }>(`SELECT headers->>'ce_type' AS type, count(*)::text AS n FROM "${schema}".outbox GROUP BY 1`);
    expect(Object.fromEntries(outbox.rows.map((r) => [r.type, Number(r.n)]))).toEqual({ 'collection.handoff.cancelled.v1': PAIRS_PER_ROUND * ROUNDS });
    process.stdout.write(`race: ${all.length} pairs (payment/credit/dispute ${perKind.join('/')}), change first ${paymentFirst}, hand-off first ${handoffFirst}, violations 0\n`);
  });

  it('the invariant check bites: a check that reads the projection without the row lock hands off a paid invoice', async () => {
    let paymentDone!: () => void;
    const paymentCommitted = new Promise<void>((resolve) => (paymentDone = resolve));
    let readDone!: () => void;
    const checkHasRead = new Promise<void>((resolve) => (readDone = resolve));
    // The unsafe variant: a plain read, then the payment commits in between read and write.
    const w = wire(async (tx, projections, invoiceId) => {
      const row = await projections.read(tx, invoiceId);
      readDone();
      await paymentCommitted;
      return row;
    });
    const { invoiceId, customerId, caseId } = await prepare(w, 1);
    const checking = w.check.run(caseId, invoiceId);
    await checkHasRead;
    await inTransaction(pool, (tx) => w.projector.apply(tx, paymentApplied(invoiceId, customerId, 29_900, 0)));
    paymentDone();
    expect(await checking).toMatchObject({ outcome: 'approved' });
    expect(violations(await finals(w, [invoiceId]))).toEqual([invoiceId]);
  });
});
