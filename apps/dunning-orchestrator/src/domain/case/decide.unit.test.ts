import { CaseWorld, customer, loadPolicy } from '../testing/case-harness';
import type { Policy } from '../policy/policy-schema';
import { assignArm } from '../experiments/assignment';
import { decide } from './decide';
import { calendar } from '../testing/case-harness';
import { localDateOf, zoned } from '../time/time';

const policy = loadPolicy();
const sek = (minor: number) => ({ minor, currency: 'SEK' });
const eur = (minor: number) => ({ minor, currency: 'EUR' });

function issue(world: CaseWorld, overrides: { dueDate?: string; amount?: { minor: number; currency: string }; who?: ReturnType<typeof customer>; id?: string } = {}) {
  const id = overrides.id ?? 'invoice-1';
  return world.receive(id, {
    type: 'InvoiceIssued',
    invoiceId: id,
    issuedAt: world.now,
    dueDate: overrides.dueDate ?? '2026-03-31',
    amount: overrides.amount ?? sek(59_900),
    customer: overrides.who ?? customer(),
  });
}

function withSegments(base: Policy, segments: Policy['segments']): Policy {
  return { ...base, segments };
}

describe('the dunning case decides its steps from the policy', () => {
  it('sends the before-due reminders in local daytime, then segments the late case and follows its flow', () => {
    const world = new CaseWorld(policy, '2026-03-01T10:00:00.000Z');
    issue(world);
    world.advanceTo('2026-05-31T00:00:00.000Z');
    const actions = world.actions();
    expect(actions.map((a) => [a.stepKey, a.channel, a.requestedAt])).toEqual([
      ['before-due/soft-reminder', 'email', '2026-03-28T09:00:00.000Z'], // Saturday 28 March, 10:00 CET
      ['before-due/due-today', 'sms', '2026-03-31T07:00:00.000Z'], // 09:00 CEST on the due date
      // Saturday 4 April is under the cap (2 contacts within 7 days) until 11:00 CEST, when the first ages out.
      ['standard/sms-reminder', 'sms', '2026-04-04T09:00:00.000Z'],
      // First payday at least 7 days after the due date: Saturday 25 April moves to Friday 24th.
      ['standard/payday-email', 'email', '2026-04-24T07:00:00.000Z'],
      // Planned Saturday 25 April; two days after the last contact is Sunday; so Monday 27th 09:00.
      ['standard/letter', 'letter', '2026-04-27T07:00:00.000Z'],
    ]);
    expect(world.ofType('SegmentAssigned')).toEqual([expect.objectContaining({ segmentId: 'everyone-else', flowId: 'standard', policyVersion: 'default@1.0' })]);
    expect(world.ofType('StepSkipped').map((s) => [s.stepKey, s.reason])).toEqual([['standard/no-collection', 'policy-says-nothing']]);
    // Sweden: no fee unless the contract agreed to one (the default policy agrees to none).
    const letter = actions[4]!;
    expect(letter.reminderFee).toBeUndefined();
    expect(letter.adjustments.map((a) => a.rule)).toContain('SE.reminder-fee.only-if-agreed');
    for (const action of actions) expect(action.reason).toMatch(/^step .* of flow .*, planned for \d{4}-\d{2}-\d{2} \(due 2026-03-31\)$/);
  });

  it('is idempotent: deciding again at the same moment decides nothing', () => {
    const world = new CaseWorld(policy, '2026-03-01T10:00:00.000Z');
    issue(world);
    world.advanceTo('2026-04-10T12:00:00.000Z');
    const again = decide(world.caseOf('invoice-1'), { now: world.now, policy, calendar, history: world.history, customerContacts: world.contacts() });
    expect(again).toEqual([]);
  });

  it('closes the case and cancels its timer when the invoice is settled (promise 1)', () => {
    const world = new CaseWorld(policy, '2026-03-01T10:00:00.000Z');
    issue(world);
    world.advanceTo('2026-04-02T12:00:00.000Z');
    const decisions = world.receive('invoice-1', { type: 'PaymentApplied', paymentId: 'p-1', amount: sek(59_900), outstanding: sek(0), receivedAt: world.now });
    expect(decisions.map((d) => d.type)).toEqual(['TimerCancelled', 'CaseClosed']);
    expect(decisions[1]).toMatchObject({ reason: 'settled' });
    const before = world.actions().length;
    world.advanceTo('2026-07-01T00:00:00.000Z');
    expect(world.actions().length).toBe(before);
    expect(world.caseOf('invoice-1').timer).toBeUndefined();
  });

  it('closes as credited when a credit note brings the balance to zero', () => {
    const world = new CaseWorld(policy, '2026-03-01T10:00:00.000Z');
    issue(world);
    const decisions = world.receive('invoice-1', { type: 'InvoiceCredited', creditNoteId: 'cn-1', amount: sek(59_900), outstanding: sek(0), creditedAt: world.now });
    expect(decisions.at(-1)).toMatchObject({ type: 'CaseClosed', reason: 'credited' });
  });

  it('pauses on a dispute and resumes when it is rejected, moving later steps by the pause', () => {
    const world = new CaseWorld(policy, '2026-03-01T10:00:00.000Z');
    issue(world);
    world.advanceTo('2026-04-02T12:00:00.000Z');
    expect(world.receive('invoice-1', { type: 'InvoiceDisputed', disputedAt: world.now }).map((d) => d.type)).toEqual(['CasePaused', 'TimerCancelled']);
    world.advanceTo('2026-04-12T12:00:00.000Z');
    expect(world.actions().filter((a) => a.stepKey.startsWith('standard/'))).toEqual([]);
    const resumed = world.receive('invoice-1', { type: 'DisputeResolved', outcome: 'rejected', resolvedAt: world.now });
    expect(resumed[0]).toMatchObject({ type: 'CaseResumed', reason: 'dispute-rejected' });
    world.advanceTo('2026-05-01T00:00:00.000Z');
    // Planned for due + 3 = 3 April; paused from 2 April 12:00Z to 12 April 12:00Z (10 days) → Monday 13 April, 09:00 CEST.
    expect(world.actions().find((a) => a.stepKey === 'standard/sms-reminder')?.requestedAt).toBe('2026-04-13T07:00:00.000Z');
  });

  it('closes when a dispute is upheld and never hands off a disputed invoice (promise 2)', () => {
    const firmForAll = withSegments(policy, [{ id: 'all', when: {}, flow: 'firm' }]);
    const world = new CaseWorld(firmForAll, '2026-03-01T10:00:00.000Z');
    issue(world, { amount: sek(500_000) });
    world.advanceTo('2026-05-10T06:00:00.000Z'); // just before the hand-off on 15 May
    expect(world.actions().some((a) => a.kind === 'handoff')).toBe(false);
    world.receive('invoice-1', { type: 'InvoiceDisputed', disputedAt: world.now });
    world.advanceTo('2026-07-01T00:00:00.000Z');
    expect(world.actions().some((a) => a.kind === 'handoff')).toBe(false);
    expect(world.receive('invoice-1', { type: 'DisputeResolved', outcome: 'upheld', resolvedAt: world.now }).at(-1)).toMatchObject({ type: 'CaseClosed', reason: 'dispute-upheld' });
  });

  it('hands off only those predicted not to pay otherwise; a collection demand gives 8 days in Sweden', () => {
    const firmForAll = withSegments(policy, [{ id: 'all', when: {}, flow: 'firm' }]);
    const likely = new CaseWorld(firmForAll, '2026-03-01T10:00:00.000Z');
    issue(likely, { amount: sek(500_000) });
    likely.receive('invoice-1', { type: 'ScoreReceived', score: { modelVersion: 'gbdt-7', probabilityPayWithoutCollection: 0.6, scoredAt: likely.now } });
    likely.advanceTo('2026-07-01T00:00:00.000Z');
    expect(likely.actions().some((a) => a.kind === 'handoff')).toBe(false);
    expect(likely.ofType('StepSkipped').find((s) => s.stepId === 'collection')).toMatchObject({ reason: 'predicted-to-pay-without-it' });

    const unlikely = new CaseWorld(firmForAll, '2026-03-01T10:00:00.000Z');
    issue(unlikely, { amount: sek(500_000) });
    unlikely.receive('invoice-1', { type: 'ScoreReceived', score: { modelVersion: 'gbdt-7', probabilityPayWithoutCollection: 0.1, scoredAt: unlikely.now } });
    unlikely.advanceTo('2026-07-01T00:00:00.000Z');
    const handoff = unlikely.actions().find((a) => a.kind === 'handoff')!;
    expect(handoff.payBy).toBe('2026-05-25'); // 15 May + 10 days asked (>= 8)
    expect(unlikely.caseOf('invoice-1').status).toBe('handoff-requested');
    expect(unlikely.caseOf('invoice-1').timer).toBeUndefined();
  });

  it('segments by score and uplift: collection only where it helps', () => {
    const world = new CaseWorld(policy, '2026-03-01T10:00:00.000Z');
    issue(world, { amount: sek(500_000) });
    world.receive('invoice-1', { type: 'ScoreReceived', score: { modelVersion: 'uplift-2', probabilityPayWithoutCollection: 0.2, uplift: { 'collection-handoff': 0.12 }, scoredAt: world.now } });
    world.advanceTo('2026-04-03T00:00:00.000Z');
    expect(world.ofType('SegmentAssigned')[0]).toMatchObject({ segmentId: 'collection-helps', flowId: 'firm', modelVersion: 'uplift-2' });

    const noHelp = new CaseWorld(policy, '2026-03-01T10:00:00.000Z');
    issue(noHelp, { amount: sek(500_000) });
    noHelp.receive('invoice-1', { type: 'ScoreReceived', score: { modelVersion: 'uplift-2', probabilityPayWithoutCollection: 0.2, uplift: { 'collection-handoff': 0.01 }, scoredAt: noHelp.now } });
    noHelp.advanceTo('2026-04-03T00:00:00.000Z');
    expect(noHelp.ofType('SegmentAssigned')[0]).toMatchObject({ segmentId: 'everyone-else', flowId: 'standard' });
  });

  it('treats the first time late after years of paying gently, without a score', () => {
    const world = new CaseWorld(policy, '2026-03-01T10:00:00.000Z');
    world.history = {
      invoices: Array.from({ length: 30 }, (_, i) => ({ invoiceId: `old-${i}`, dueDate: `20${23 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-28`, settledOn: `20${23 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-27` })),
      paymentDates: [],
    };
    issue(world, { who: customer({ customerSince: '2022-06-01' }) });
    world.advanceTo('2026-04-03T00:00:00.000Z');
    expect(world.ofType('SegmentAssigned')[0]).toMatchObject({ segmentId: 'first-time-late', historyClass: 'first-time-late', flowId: 'gentle' });
  });

  it('re-evaluates on a partial payment; a small remainder gets no letter', () => {
    const world = new CaseWorld(policy, '2026-03-01T10:00:00.000Z');
    issue(world);
    world.advanceTo('2026-04-10T12:00:00.000Z');
    const decisions = world.receive('invoice-1', { type: 'PaymentApplied', paymentId: 'p-1', amount: sek(57_900), outstanding: sek(2_000), receivedAt: world.now });
    expect(decisions[0]).toMatchObject({ type: 'CaseReEvaluated', trigger: 'partial-payment', outstanding: sek(2_000) });
    world.advanceTo('2026-06-01T00:00:00.000Z');
    expect(world.ofType('StepSkipped').find((s) => s.stepId === 'letter')).toMatchObject({ reason: 'below-minimum-outstanding' });
    expect(world.actions().some((a) => a.stepId === 'letter')).toBe(false);
  });

  it('pauses under a payment plan and resumes only when an installment is missed', () => {
    const world = new CaseWorld(policy, '2026-03-01T10:00:00.000Z');
    issue(world);
    world.advanceTo('2026-04-02T12:00:00.000Z');
    const installments = [
      { dueDate: '2026-04-15', amount: sek(20_000) },
      { dueDate: '2026-04-30', amount: sek(20_000) },
      { dueDate: '2026-05-15', amount: sek(19_900) },
    ];
    const paused = world.receive('invoice-1', { type: 'PaymentPlanAgreed', planId: 'plan-1', agreedAt: world.now, installments });
    expect(paused.map((d) => d.type)).toEqual(['CasePaused', 'TimerCancelled', 'TimerScheduled']);
    world.advanceTo('2026-04-14T12:00:00.000Z');
    world.receive('invoice-1', { type: 'PaymentApplied', paymentId: 'p-1', amount: sek(20_000), outstanding: sek(39_900), receivedAt: world.now });
    world.advanceTo('2026-05-03T12:00:00.000Z'); // second installment (30 April) unpaid; checked on 4 May
    expect(world.caseOf('invoice-1').status).toBe('paused');
    world.advanceTo('2026-05-04T12:00:00.000Z');
    expect(world.ofType('CaseResumed')).toEqual([expect.objectContaining({ reason: 'payment-plan-installment-missed' })]);
    expect(world.actions().filter((a) => a.requestedAt > '2026-04-02T12:00:00.000Z' && a.requestedAt < '2026-05-04T00:00:00.000Z')).toEqual([]);
  });

  it('keeps to the contact cap across the customer invoices', () => {
    const world = new CaseWorld(policy, '2026-03-01T10:00:00.000Z');
    issue(world, { id: 'invoice-a', dueDate: '2026-03-31' });
    issue(world, { id: 'invoice-b', dueDate: '2026-04-01' });
    world.advanceTo('2026-06-01T00:00:00.000Z');
    const contacts = world.contacts().map((c) => Date.parse(c.at)).sort((a, b) => a - b);
    for (const at of contacts) {
      expect(contacts.filter((other) => other > at - 7 * 86_400_000 && other <= at).length).toBeLessThanOrEqual(2);
    }
    expect(world.ofType('StepSkipped').some((s) => s.reason === 'contact-cap' || s.reason === 'past-due-date')).toBe(true);
  });

  it('sends a payday step on the customer learned payday', () => {
    const gentleForAll = withSegments(policy, [{ id: 'all', when: {}, flow: 'gentle' }]);
    const world = new CaseWorld(gentleForAll, '2026-03-01T10:00:00.000Z');
    world.history = { invoices: [], paymentDates: ['2025-11-10', '2025-12-10', '2026-01-12', '2026-02-10'] };
    issue(world, { dueDate: '2026-03-02' });
    world.advanceTo('2026-03-20T00:00:00.000Z');
    // Due 2 March + 3 days = 5 March; the learned payday is the 10th: Tuesday 10 March, 09:00 CET.
    expect(world.actions().find((a) => a.stepId === 'payday-nudge')?.requestedAt).toBe('2026-03-10T08:00:00.000Z');
  });

  it('applies the German rule pack in a flow: a letter fee at actual cost, interest and the business flat fee', () => {
    const world = new CaseWorld(withSegments(policy, [{ id: 'all', when: {}, flow: 'standard' }]), '2026-03-01T10:00:00.000Z');
    issue(world, { amount: eur(100_000), who: customer({ timeZone: 'Europe/Berlin', country: 'DE', locale: 'de-DE', type: 'business' }) });
    world.advanceTo('2026-06-01T00:00:00.000Z');
    const letter = world.actions().find((a) => a.stepId === 'letter')!;
    expect(letter.reminderFee).toEqual(eur(150));
    expect(letter.businessCompensation).toEqual(eur(4_000));
    expect(letter.interest?.periods[0]?.annualRateBps).toBe(127 + 900);
    expect(zoned(letter.requestedAt, 'Europe/Berlin').hour).toBeGreaterThanOrEqual(9);
    expect(localDateOf(letter.requestedAt, 'Europe/Berlin') >= '2026-04-25').toBe(true);
  });

  it('assigns an experiment arm once, records it, and follows the arm flow (no-action holdout sends nothing after the due date)', () => {
    const experimentPolicy = loadPolicy('seeds-experiment.yaml');
    const armsSeen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const world = new CaseWorld(experimentPolicy, '2026-03-01T10:00:00.000Z');
      issue(world, { who: customer({ customerId: `customer-${i}` }) });
      world.advanceTo('2026-06-01T00:00:00.000Z');
      const [assignment, ...more] = world.ofType('ExperimentArmAssigned');
      expect(more).toEqual([]);
      armsSeen.add(assignment!.armId);
      const overdue = world.actions().filter((a) => !a.stepKey.startsWith('before-due/'));
      if (assignment!.armId === 'no-action') expect(overdue).toEqual([]);
      else expect(overdue.length).toBeGreaterThan(0);
      for (const action of overdue) expect(action.experiment).toEqual({ experimentId: 'collection-vs-friendly', armId: assignment!.armId });
    }
    expect(armsSeen.size).toBe(3);
  });

  describe('the main job: the seeds experiment until the switch, then the ML-driven policy against collection as before', () => {
    const mainJob = loadPolicy('main-job.yaml');
    const mlVsCollection = mainJob.experiments.find((e) => e.id === 'ml-vs-collection')!;
    const segment = { segmentId: 'everyone-else', flowId: 'standard' };
    const customerIn = (armId: string) => {
      for (let i = 0; ; i++) if (assignArm(mlVsCollection, `customer-${i}`, segment).armId === armId) return `customer-${i}`;
    };
    const collectionHelps = { modelVersion: 'pay-without-collection@2026-05-01.abc', probabilityPayWithoutCollection: 0.1, uplift: { 'collection-handoff': 0.2, 'sms-reminder': 0.03 }, scoredAt: '2026-05-02T00:00:00.000Z' };

    it('a case late before the switch is in collection-vs-friendly; one late after it in ml-vs-collection, never both', () => {
      for (const [dueDate, experimentId] of [
        // Segmented at the start of the second day after the due date, Stockholm time; the switch is an instant (UTC).
        ['2026-04-29', 'collection-vs-friendly'], // 1 May 00:00 CEST = 30 April 22:00Z: before the switch
        ['2026-04-30', 'ml-vs-collection'], // 2 May 00:00 CEST = 1 May 22:00Z: after it
      ] as const) {
        const world = new CaseWorld(mainJob, '2026-04-01T10:00:00.000Z');
        issue(world, { dueDate });
        world.advanceTo('2026-08-01T00:00:00.000Z');
        expect(world.ofType('ExperimentArmAssigned').map((a) => a.experimentId)).toEqual([experimentId]);
      }
    });

    it('the ml-policy arm keeps the flow of the segment the score implies (collection-helps → firm) and hands off; the event says so, with reasons', () => {
      const world = new CaseWorld(mainJob, '2026-04-20T10:00:00.000Z');
      issue(world, { dueDate: '2026-05-10', who: customer({ customerId: customerIn('ml-policy') }) });
      world.advanceTo('2026-05-11T08:00:00.000Z');
      world.receive('invoice-1', { type: 'ScoreReceived', score: collectionHelps });
      world.advanceTo('2026-08-01T00:00:00.000Z');
      expect(world.ofType('SegmentAssigned')).toEqual([expect.objectContaining({ segmentId: 'collection-helps', flowId: 'firm', modelVersion: collectionHelps.modelVersion })]);
      const [arm, ...more] = world.ofType('ExperimentArmAssigned');
      expect(more).toEqual([]);
      expect(arm).toMatchObject({ experimentId: 'ml-vs-collection', armId: 'ml-policy', flowId: 'firm', flowChosenBy: 'segment', control: false, policyVersion: 'main-job@1.0' });
      expect(arm!.reasons).toContain('arm ml-policy keeps the flow of segment collection-helps: firm');
      const overdue = world.actions().filter((a) => !a.stepKey.startsWith('before-due/'));
      expect(overdue.map((a) => a.stepKey)).toEqual(['firm/sms-reminder', 'firm/letter', 'firm/final-sms', 'firm/collection']);
      for (const action of overdue) expect(action.experiment).toEqual({ experimentId: 'ml-vs-collection', armId: 'ml-policy' });
    });

    it('the ml-policy arm follows a re-evaluation when the score comes after the segment; the control arm keeps classic collection', () => {
      const late = new CaseWorld(mainJob, '2026-04-20T10:00:00.000Z');
      issue(late, { dueDate: '2026-05-10', who: customer({ customerId: customerIn('ml-policy') }) });
      late.advanceTo('2026-05-20T12:00:00.000Z'); // segmented on 12 May without a score: everyone-else, standard
      expect(late.ofType('ExperimentArmAssigned')).toEqual([expect.objectContaining({ armId: 'ml-policy', flowId: 'standard', flowChosenBy: 'segment' })]);
      late.receive('invoice-1', { type: 'ScoreReceived', score: { ...collectionHelps, probabilityPayWithoutCollection: 0.9, scoredAt: '2026-05-20T12:00:00.000Z' } });
      expect(late.ofType('CaseReEvaluated')).toEqual([expect.objectContaining({ segmentId: 'likely-to-pay', flowId: 'gentle', previousFlowId: 'standard' })]);
      expect(late.caseOf('invoice-1').flowId).toBe('gentle');
      late.advanceTo('2026-08-01T00:00:00.000Z');
      expect(late.actions().filter((a) => a.kind === 'handoff')).toEqual([]);
      expect(late.actions().some((a) => a.stepKey.startsWith('gentle/'))).toBe(true);

      const control = new CaseWorld(mainJob, '2026-04-20T10:00:00.000Z');
      issue(control, { dueDate: '2026-05-10', who: customer({ customerId: customerIn('collection-as-before') }) });
      control.advanceTo('2026-05-20T12:00:00.000Z');
      control.receive('invoice-1', { type: 'ScoreReceived', score: { ...collectionHelps, probabilityPayWithoutCollection: 0.9, scoredAt: '2026-05-20T12:00:00.000Z' } });
      control.advanceTo('2026-08-01T00:00:00.000Z');
      expect(control.ofType('ExperimentArmAssigned')).toEqual([expect.objectContaining({ armId: 'collection-as-before', flowId: 'classic-collection', flowChosenBy: 'arm', control: true })]);
      expect(control.caseOf('invoice-1').flowId).toBe('classic-collection');
      expect(control.actions().filter((a) => a.kind === 'handoff').map((a) => a.stepKey)).toEqual(['classic-collection/collection']);
    });
  });
});
