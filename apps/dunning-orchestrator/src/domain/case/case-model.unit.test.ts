import fc from 'fast-check';
import { isWithinContactWindow } from '../calendar/contact-window';
import type { Policy } from '../policy/policy-schema';
import { calendar, CaseWorld, customer, loadPolicy } from '../testing/case-harness';
import { addDays, addMillis, DAY_MS, localDateOf, toMillis, type Instant } from '../time/time';
import { decide } from './decide';
import { foldCase } from './dunning-case';
import type { CaseDecision, CustomerProfile } from './events';

// Model-based property test (promises 1, 2 and 3): random interleavings of invoices, payments,
// credits, disputes, payment plans, scores, agency answers, time passing and crash-restarts,
// checked after every decision against a small reference model of what may happen.

const defaultPolicy = loadPolicy();
const seedsPolicy = loadPolicy('seeds-experiment.yaml');
// Two experiments one after the other (switch 2026-05-01), the second with a by-segment arm; start days reach both.
const mainJobPolicy = loadPolicy('main-job.yaml');
const firm = defaultPolicy.flows['firm']!;
// Everyone on the firm flow and no guard on the hand-off: hand-offs happen often enough to test.
const collectionForAll: Policy = {
  ...defaultPolicy,
  id: 'collection-for-all',
  segments: [{ id: 'all', when: {}, flow: 'firm' }],
  flows: { ...defaultPolicy.flows, firm: { ...firm, steps: firm.steps.map((step) => (step.action === 'handoff' ? { ...step, guards: {} } : step)) } },
};

const policies: Record<string, Policy> = { default: defaultPolicy, 'collection-for-all': collectionForAll, 'seeds-experiment': seedsPolicy, 'main-job': mainJobPolicy };

const places = [
  { timeZone: 'Europe/Stockholm', country: 'SE', currency: 'SEK' },
  { timeZone: 'Europe/Berlin', country: 'DE', currency: 'EUR' },
  { timeZone: 'America/New_York', country: 'US', currency: 'USD' },
  { timeZone: 'Asia/Tokyo', country: 'JP', currency: 'JPY' },
] as const;

type InvoiceKey = 'a' | 'b';
const invoiceKey = fc.constantFrom<InvoiceKey>('a', 'b');
const step = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('issue' as const), invoice: invoiceKey, dueInDays: fc.integer({ min: -5, max: 30 }), amount: fc.integer({ min: 1_000, max: 300_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pay' as const), invoice: invoiceKey, full: fc.boolean(), share: fc.double({ min: 0.05, max: 0.95, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('credit' as const), invoice: invoiceKey, full: fc.boolean(), share: fc.double({ min: 0.05, max: 0.95, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dispute' as const), invoice: invoiceKey }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resolve' as const), invoice: invoiceKey, upheld: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('plan' as const), invoice: invoiceKey, installments: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pay-installment' as const), invoice: invoiceKey }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('score' as const), invoice: invoiceKey, p: fc.double({ min: 0, max: 1, noNaN: true }), uplift: fc.double({ min: -0.1, max: 0.3, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('agency' as const), invoice: invoiceKey, accepted: fc.boolean() }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('advance' as const), hours: fc.integer({ min: 1, max: 24 * 12 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const) }) },
);
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

/** What the reference model knows of one invoice: facts only, no policy. */
interface ReferenceInvoice {
  outstanding: number;
  currency: string;
  disputeActive: boolean;
  disputeUpheld: boolean;
  plan?: { installments: { dueDate: string; amount: number }[]; paid: number; broken: boolean; paidInstallments: number };
  handoffRequested: boolean;
  handoffs: number;
  closed: boolean;
}

class ModelWorld extends CaseWorld {
  readonly reference = new Map<string, ReferenceInvoice>();
  readonly seenActionIds = new Set<string>();
  readonly violations: string[] = [];

  constructor(
    policy: Policy,
    now: Instant,
    readonly who: CustomerProfile,
  ) {
    super(policy, now, (caseId, decision, world) => (world as ModelWorld).check(caseId, decision));
  }

  private today(): string {
    return localDateOf(this.now, this.who.timeZone);
  }

  /** The reference model's view of a plan at this moment: a missed installment breaks it for good. */
  private planPauses(ref: ReferenceInvoice): boolean {
    const plan = ref.plan;
    if (!plan || plan.broken) return false;
    const grace = this.policy.paymentPlans.graceDays;
    const today = this.today();
    const dueSoFar = plan.installments.filter((i) => addDays(i.dueDate, grace + 1) <= today).reduce((sum, i) => sum + i.amount, 0);
    if (plan.paid < dueSoFar) {
      plan.broken = true;
      return false;
    }
    return plan.installments.some((i) => addDays(i.dueDate, grace + 1) > today);
  }

  override decideNow(caseId: string): CaseDecision[] {
    const ref = this.reference.get(caseId);
    // The reference looks at the plan exactly when the case does.
    if (ref && !ref.disputeActive && !ref.closed && !ref.handoffRequested) this.planPauses(ref);
    const decisions = super.decideNow(caseId);
    if (ref) this.checkStatus(caseId, ref);
    const again = decide(this.caseOf(caseId), { now: this.now, policy: this.policy, calendar, history: this.history, customerContacts: this.contacts() });
    if (again.length > 0) this.violations.push(`decide is not idempotent for ${caseId}: ${again.map((d) => d.type).join(', ')}`);
    return decisions;
  }

  private checkStatus(caseId: string, ref: ReferenceInvoice): void {
    const status = this.caseOf(caseId).status;
    const shouldClose = ref.outstanding <= 0 || ref.disputeUpheld;
    if (shouldClose !== (status === 'closed')) this.violations.push(`${caseId} status ${status} but reference says closed=${shouldClose} at ${this.now}`);
    if (status === 'closed' || ref.handoffRequested) return;
    const plan = ref.plan;
    const planPauses = !!plan && !plan.broken && plan.installments.some((i) => addDays(i.dueDate, this.policy.paymentPlans.graceDays + 1) > this.today());
    const shouldPause = ref.disputeActive || planPauses;
    if (shouldPause !== (status === 'paused')) this.violations.push(`${caseId} status ${status} but reference says paused=${shouldPause} at ${this.now}`);
  }

  check(caseId: string, decision: CaseDecision): void {
    const ref = this.reference.get(caseId);
    const fail = (message: string): void => {
      this.violations.push(`${message} (${caseId} at ${this.now})`);
    };
    if (!ref) return fail(`decision ${decision.type} for a case never issued`);
    if (ref.closed) fail(`decision ${decision.type} after the case closed`);
    if (decision.type === 'CaseClosed') ref.closed = true;
    if (decision.type !== 'ActionRequested') return;
    const action = decision.action;
    if (this.seenActionIds.has(action.actionId)) fail(`step ${action.stepKey} requested twice`);
    this.seenActionIds.add(action.actionId);
    if (ref.outstanding <= 0) fail(`${action.kind} for a settled or credited invoice`);
    if (ref.disputeActive || ref.disputeUpheld) fail(`${action.kind} for a disputed invoice`);
    if (ref.plan && !ref.plan.broken && !ref.disputeActive && ref.plan.installments.some((i) => addDays(i.dueDate, this.policy.paymentPlans.graceDays + 1) > this.today())) {
      fail(`${action.kind} under an honoured payment plan`);
    }
    if (action.kind === 'handoff') {
      ref.handoffs += 1;
      ref.handoffRequested = true;
      if (ref.handoffs > 1) fail('handed off twice');
      return;
    }
    if (ref.handoffRequested) fail('reminder after the hand-off');
    if (!isWithinContactWindow(action.requestedAt, this.who, this.policy.contactWindows, calendar)) fail(`reminder outside the contact window at ${action.requestedAt}`);
    const { maxContacts, perDays } = this.policy.contactCap;
    const t = toMillis(action.requestedAt);
    const inWindow = this.contacts().filter((c) => toMillis(c.at) > t - perDays * DAY_MS && toMillis(c.at) <= t).length;
    if (inWindow > maxContacts) fail(`contact cap exceeded: ${inWindow} contacts in ${perDays} days`);
    const fee = action.reminderFee?.minor ?? 0;
    const ceiling = this.who.country === 'SE' ? 0 /* no fee agreed in these policies */ : this.who.country === 'DE' ? 150 : 0;
    if (fee > ceiling) fail(`reminder fee ${fee} above the ${this.who.country} limit ${ceiling}`);
  }

  apply(command: Step): void {
    const caseId = command.kind === 'advance' || command.kind === 'restart' ? '' : `invoice-${command.invoice}`;
    const ref = this.reference.get(caseId);
    switch (command.kind) {
      case 'issue': {
        if (ref) return;
        const currency = places.find((p) => p.country === this.who.country)!.currency;
        this.reference.set(caseId, { outstanding: command.amount, currency, disputeActive: false, disputeUpheld: false, handoffRequested: false, handoffs: 0, closed: false });
        this.receive(caseId, {
          type: 'InvoiceIssued',
          invoiceId: caseId,
          issuedAt: this.now,
          dueDate: addDays(this.today(), command.dueInDays),
          amount: { minor: command.amount, currency },
          customer: this.who,
        });
        return;
      }
      case 'pay':
      case 'credit': {
        if (!ref || ref.outstanding <= 0) return;
        const amount = command.full ? ref.outstanding : Math.max(1, Math.min(ref.outstanding - 1, Math.floor(ref.outstanding * command.share)));
        if (amount <= 0) return;
        ref.outstanding -= amount;
        if (ref.plan && command.kind === 'pay') ref.plan.paid += amount;
        const money = { minor: amount, currency: ref.currency };
        const outstanding = { minor: ref.outstanding, currency: ref.currency };
        this.receive(
          caseId,
          command.kind === 'pay'
            ? { type: 'PaymentApplied', paymentId: `p-${this.decisions.length}-${caseId}`, amount: money, outstanding, receivedAt: this.now }
            : { type: 'InvoiceCredited', creditNoteId: `cn-${this.decisions.length}-${caseId}`, amount: money, outstanding, creditedAt: this.now },
        );
        return;
      }
      case 'pay-installment': {
        const plan = ref?.plan;
        if (!ref || !plan || ref.outstanding <= 0) return;
        const next = plan.installments[plan.paidInstallments];
        if (!next) return;
        plan.paidInstallments += 1;
        const amount = Math.min(next.amount, ref.outstanding);
        ref.outstanding -= amount;
        plan.paid += amount;
        this.receive(caseId, {
          type: 'PaymentApplied',
          paymentId: `i-${plan.paidInstallments}-${caseId}`,
          amount: { minor: amount, currency: ref.currency },
          outstanding: { minor: ref.outstanding, currency: ref.currency },
          receivedAt: this.now,
        });
        return;
      }
      case 'dispute':
        if (!ref || ref.disputeActive || ref.disputeUpheld || ref.outstanding <= 0) return;
        ref.disputeActive = true;
        this.receive(caseId, { type: 'InvoiceDisputed', disputedAt: this.now });
        return;
      case 'resolve':
        if (!ref || !ref.disputeActive) return;
        ref.disputeActive = false;
        ref.disputeUpheld = command.upheld;
        this.receive(caseId, { type: 'DisputeResolved', outcome: command.upheld ? 'upheld' : 'rejected', resolvedAt: this.now });
        return;
      case 'plan': {
        if (!ref || ref.outstanding <= 0 || ref.plan) return;
        const each = Math.floor(ref.outstanding / command.installments);
        const installments = Array.from({ length: command.installments }, (_, i) => ({
          dueDate: addDays(this.today(), 7 + 14 * i),
          amount: i === command.installments - 1 ? ref.outstanding - each * (command.installments - 1) : each,
        }));
        ref.plan = { installments, paid: 0, broken: false, paidInstallments: 0 };
        this.receive(caseId, {
          type: 'PaymentPlanAgreed',
          planId: `plan-${caseId}`,
          agreedAt: this.now,
          installments: installments.map((i) => ({ dueDate: i.dueDate, amount: { minor: i.amount, currency: ref.currency } })),
        });
        return;
      }
      case 'score':
        if (!ref) return;
        this.receive(caseId, { type: 'ScoreReceived', score: { modelVersion: 'model-1', probabilityPayWithoutCollection: command.p, uplift: { 'collection-handoff': command.uplift }, scoredAt: this.now } });
        return;
      case 'agency':
        if (!ref || !ref.handoffRequested || this.caseOf(caseId).status !== 'handoff-requested') return;
        if (!command.accepted) ref.handoffRequested = false;
        this.receive(caseId, command.accepted ? { type: 'HandoffAccepted', at: this.now } : { type: 'HandoffDeclined', at: this.now, reason: 'invoice-settled' });
        return;
      case 'advance':
        this.advanceTo(addMillis(this.now, command.hours * 3_600_000));
        return;
      case 'restart': {
        const live = new Map(this.cases);
        this.restart();
        for (const [id, state] of this.cases) {
          if (JSON.stringify(state) !== JSON.stringify(live.get(id))) this.violations.push(`re-folding ${id} from its log gives a different state`);
        }
        return;
      }
    }
  }
}

const totals = { runs: 0, reminders: 0, handoffs: 0, closed: 0, pauses: 0, resumes: 0, skips: 0 };

describe('dunning case against a reference model', () => {
  afterAll(() => {
    // The interleavings must reach the interesting places, or the property proves little.
    expect(totals.handoffs).toBeGreaterThan(0);
    expect(totals.resumes).toBeGreaterThan(0);
    if (process.env['MODEL_STATS']) console.log(totals);
  });

  it('never reminds after settlement, never hands off a disputed or settled invoice, never repeats a step', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('default', 'collection-for-all', 'seeds-experiment', 'main-job'),
        fc.constantFrom(...places),
        fc.constantFrom<'consumer' | 'business'>('consumer', 'business'),
        fc.integer({ min: 0, max: 300 }),
        fc.array(step, { minLength: 1, maxLength: 40 }),
        (policyName, place, type, startDay, steps) => {
          const policy = policies[policyName]!;
          const who = customer({ customerId: `customer-${startDay}`, timeZone: place.timeZone, country: place.country, type });
          const world = new ModelWorld(policy, addMillis('2026-01-05T08:00:00.000Z', startDay * DAY_MS), who);
          for (const command of steps) {
            world.apply(command);
            if (world.violations.length > 0) break;
          }
          // Let every case run to its end, then look again.
          if (world.violations.length === 0) world.advanceTo(addMillis(world.now, 120 * DAY_MS));
          expect(world.violations).toEqual([]);
          totals.runs += 1;
          totals.reminders += world.actions().filter((a) => a.kind === 'reminder').length;
          totals.handoffs += world.actions().filter((a) => a.kind === 'handoff').length;
          totals.closed += [...world.cases.values()].filter((c) => c.status === 'closed').length;
          totals.pauses += world.ofType('CasePaused').length;
          totals.resumes += world.ofType('CaseResumed').length;
          totals.skips += world.ofType('StepSkipped').length;
        },
      ),
      { numRuns: Number(process.env['MODEL_RUNS'] ?? 500) },
    );
  });

  it('the reference model can fail: a reminder decided for a settled invoice is caught', () => {
    const who = customer();
    const world = new ModelWorld(defaultPolicy, '2026-03-01T10:00:00.000Z', who);
    world.apply({ kind: 'issue', invoice: 'a', dueInDays: 10, amount: 10_000 });
    world.reference.get('invoice-a')!.outstanding = 0; // the reference believes it is paid; the case does not
    world.advanceTo('2026-04-01T00:00:00.000Z');
    expect(world.violations.some((v) => v.includes('for a settled or credited invoice'))).toBe(true);
  });

  it('a re-fold from the log equals the live case (crash-restart) on a long run', () => {
    const world = new ModelWorld(collectionForAll, '2026-03-01T10:00:00.000Z', customer());
    world.apply({ kind: 'issue', invoice: 'a', dueInDays: 5, amount: 300_000 });
    world.apply({ kind: 'advance', hours: 24 * 20 });
    world.apply({ kind: 'pay', invoice: 'a', full: false, share: 0.3 });
    world.apply({ kind: 'restart' });
    world.apply({ kind: 'advance', hours: 24 * 60 });
    expect(world.violations).toEqual([]);
    expect(foldCase('invoice-a', world.logs.get('invoice-a')!)).toEqual(world.caseOf('invoice-a'));
    expect(world.actions().some((a) => a.kind === 'handoff')).toBe(true);
  });
});
