import { nextContactInstant, type CustomerWhereabouts } from '../calendar/contact-window';
import type { HolidayCalendar } from '../calendar/holiday-calendar';
import { firstPaydayOnOrAfter, learnPayday, type PaydayRule } from '../calendar/payday';
import { assignArm, eligibleExperiment } from '../experiments/assignment';
import { enforceRulePack } from '../law/enforce-rule-pack';
import { rulePackFor } from '../law/rule-packs';
import type { Channel } from '../money';
import { classifyHistory, type PaymentHistory } from '../policy/history';
import { policyVersionOf, type Policy, type Step } from '../policy/policy-schema';
import { selectSegment, type SegmentationFacts } from '../policy/segmentation';
import { addDays, addDaysToInstant, DAY_MS, localDateOf, maxInstant, minInstant, startOfLocalDay, toMillis, type Instant, type LocalDate } from '../time/time';
import { evolve, flowFixedByArm, isIssued, type DunningCase, type IssuedCase } from './dunning-case';
import type { CaseDecision, CloseReason, ExperimentTag, PauseReason } from './events';

/** Everything a decision may depend on besides the case itself. Time is given, never read. */
export interface DecideContext {
  readonly now: Instant;
  readonly policy: Policy;
  readonly calendar: HolidayCalendar;
  /** The customer's earlier invoices and payment dates (segmentation, payday). */
  readonly history: PaymentHistory;
  /** Every contact with the customer across all their cases (the contact cap spans channels and cases). */
  readonly customerContacts: readonly { readonly actionId: string; readonly at: Instant }[];
}

/** Days a step may slip behind its planned date (caps, windows) before it is skipped instead. */
const DEFAULT_MAX_DELAY_DAYS = { beforeDue: 3, overdue: 21 } as const;

interface PlannedStep {
  readonly key: string;
  readonly flowId: string;
  readonly step: Step;
  readonly phase: 'before-due' | 'overdue';
}

type StepVerdict =
  | { readonly kind: 'request'; readonly decision: CaseDecision }
  | { readonly kind: 'skip'; readonly reason: string; readonly detail: string }
  | { readonly kind: 'wait'; readonly until: Instant; readonly purpose: string };

/**
 * Decides what the case should do now. Returns decisions as data (nothing happens here): a
 * segment, an experiment arm, actions requested, steps skipped with reasons, the next timer, a
 * pause, a resumption or the close. Calling it again at the same moment after applying its
 * decisions returns nothing: it is idempotent, so a timer that fires twice does nothing twice.
 */
export function decide(initial: DunningCase, context: DecideContext): CaseDecision[] {
  if (initial.status === 'none' || initial.status === 'closed' || !isIssued(initial)) return [];
  const decisions: CaseDecision[] = [];
  let state: IssuedCase = initial;
  const emit = (decision: CaseDecision): void => {
    decisions.push(decision);
    // Decisions never remove the invoice facts, so the case stays issued.
    state = evolve(state, decision) as IssuedCase;
  };
  const { now, policy } = context;
  const policyVersion = policyVersionOf(policy);
  const customer = state.invoice.customer;
  const dueDate = state.invoice.dueDate;
  const today = localDateOf(now, customer.timeZone);

  const cancelTimer = (reason: string): void => {
    if (state.timer) emit({ type: 'TimerCancelled', timerId: state.timer.timerId, reason, at: now });
  };
  const scheduleTimer = (fireAt: Instant, purpose: string): void => {
    if (state.timer && toMillis(state.timer.fireAt) === toMillis(fireAt)) return;
    cancelTimer('rescheduled');
    emit({ type: 'TimerScheduled', timerId: `${state.caseId}#${state.timerSequence + 1}`, fireAt, purpose, at: now });
  };

  // 1. Settled, credited to zero or a dispute upheld: close and cancel timers (promise 1).
  const closeReason = reasonToClose(state);
  if (closeReason) {
    cancelTimer(`case closed: ${closeReason}`);
    emit({ type: 'CaseClosed', reason: closeReason, at: now });
    return decisions;
  }

  // 2. Once handed off, the agency has the case; the orchestrator only waits for it to close.
  if (state.status === 'handoff-requested' || state.status === 'handed-off') {
    cancelTimer('handed off');
    return decisions;
  }

  // 3. A dispute pauses; a payment plan pauses until an installment is missed.
  const pause = pauseWanted(state, today, policy);
  if (pause.reason) {
    if (state.paused?.reason !== pause.reason) emit({ type: 'CasePaused', reason: pause.reason, at: now });
    if (pause.checkAt) scheduleTimer(pause.checkAt, 'payment-plan-check');
    else cancelTimer(`paused: ${pause.reason}`);
    return decisions;
  }
  if (state.paused) {
    emit({ type: 'CaseResumed', reason: pause.resumeReason ?? 'pause-ended', at: now });
  }

  // 4. Late: the case gets its segment (and maybe an experiment arm), or is re-evaluated.
  const segmentationAt = startOfLocalDay(addDays(dueDate, policy.segmentation.afterDueDays + 1), customer.timeZone);
  if (!state.segment && toMillis(now) >= toMillis(segmentationAt)) {
    const facts = segmentationFacts(state, context, today);
    const choice = selectSegment(policy, facts.facts);
    emit({
      type: 'SegmentAssigned',
      segmentId: choice.segmentId,
      flowId: choice.flowId,
      reasons: [...choice.reasons, `history: ${facts.historyReason}`],
      historyClass: facts.facts.historyClass,
      ...(facts.facts.score ? { modelVersion: facts.facts.score.modelVersion } : {}),
      policyVersion,
      at: now,
    });
    const experiment = eligibleExperiment(policy, facts.facts, choice.segmentId, now);
    if (experiment) {
      const arm = assignArm(experiment, customer.customerId, choice);
      emit({
        type: 'ExperimentArmAssigned',
        experimentId: arm.experimentId,
        armId: arm.armId,
        flowId: arm.flowId,
        flowChosenBy: arm.flowChosenBy,
        reasons: arm.reasons,
        control: arm.control,
        bucket: arm.bucket,
        policyVersion,
        at: now,
      });
    }
  } else if (state.segment && state.reevaluation) {
    const trigger = state.reevaluation;
    const facts = segmentationFacts(state, context, today);
    const choice = selectSegment(policy, facts.facts);
    const previousFlowId = state.flowId ?? state.segment.flowId;
    emit({ type: 'CaseReEvaluated', trigger, segmentId: choice.segmentId, flowId: choice.flowId, previousFlowId, reasons: choice.reasons, outstanding: state.outstanding, policyVersion, at: now });
    if (!flowFixedByArm(state) && choice.flowId !== previousFlowId) {
      // The new flow starts from here: its steps planned before today are not sent in a burst.
      for (const planned of overdueSteps(state, policy)) {
        if (state.steps[planned.key]) continue;
        const plannedDate = plannedDateOf(planned, state, context);
        if (plannedDate < today) {
          emit(skipped(state, planned, 'superseded-by-re-evaluation', `planned for ${plannedDate}, before the re-evaluation on ${today}`, policyVersion, now));
        }
      }
    }
  }

  // 5. Steps in order: at most the due ones; the first that must wait sets the timer.
  const wakeUps: { at: Instant; purpose: string }[] = [];
  if (!state.segment) wakeUps.push({ at: segmentationAt, purpose: 'segmentation' });
  const steps = [...beforeDueSteps(policy), ...overdueSteps(state, policy)];
  for (const planned of steps) {
    if (state.steps[planned.key]) continue;
    const verdict = judgeStep(planned, state, context, today, policyVersion);
    if (verdict.kind === 'skip') {
      emit(skipped(state, planned, verdict.reason, verdict.detail, policyVersion, now));
      continue;
    }
    if (verdict.kind === 'wait') {
      wakeUps.push({ at: verdict.until, purpose: verdict.purpose });
      break;
    }
    emit(verdict.decision);
    if (handoffRequested(state)) break;
  }

  if (handoffRequested(state)) {
    cancelTimer('handed off');
    return decisions;
  }
  const next = wakeUps.length > 0 ? wakeUps.reduce((a, b) => (toMillis(a.at) <= toMillis(b.at) ? a : b)) : undefined;
  if (next) scheduleTimer(maxInstant(next.at, now), next.purpose);
  else cancelTimer('no step left');
  return decisions;
}

// A function, so that TypeScript does not narrow `state.status` across the emits that change it.
function handoffRequested(state: DunningCase): boolean {
  return state.status === 'handoff-requested';
}

function reasonToClose(state: IssuedCase): CloseReason | undefined {
  if (state.dispute?.outcome === 'upheld') return 'dispute-upheld';
  if (state.outstanding && state.outstanding.minor <= 0) return state.lastBalanceChange === 'credit' ? 'credited' : 'settled';
  return undefined;
}

interface PauseVerdict {
  readonly reason?: PauseReason;
  readonly checkAt?: Instant;
  readonly resumeReason?: 'dispute-rejected' | 'payment-plan-installment-missed';
}

/** Whether the facts call for a pause now, and when a payment plan must next be checked. */
function pauseWanted(state: IssuedCase, today: LocalDate, policy: Policy): PauseVerdict {
  if (state.dispute && !state.dispute.outcome) return { reason: 'dispute' };
  const plan = state.plan;
  if (plan && !plan.broken) {
    const grace = policy.paymentPlans.graceDays;
    let dueSoFar = 0;
    let nextCheck: LocalDate | undefined;
    for (const installment of plan.installments) {
      const checkDay = addDays(installment.dueDate, grace + 1);
      if (checkDay <= today) dueSoFar += installment.amount.minor;
      else if (!nextCheck || checkDay < nextCheck) nextCheck = checkDay;
    }
    if (plan.paidSinceAgreement < dueSoFar) return { resumeReason: 'payment-plan-installment-missed' };
    // Every installment paid yet something is still owed: the plan is over, dunning goes on.
    if (nextCheck) return { reason: 'payment-plan', checkAt: startOfLocalDay(nextCheck, state.invoice.customer.timeZone) };
  }
  if (state.paused?.reason === 'payment-plan' && plan?.broken) return { resumeReason: 'payment-plan-installment-missed' };
  if (state.paused?.reason === 'dispute' && state.dispute?.outcome === 'rejected') return { resumeReason: 'dispute-rejected' };
  return {};
}

function beforeDueSteps(policy: Policy): PlannedStep[] {
  return policy.beforeDue.steps.map((step) => ({ key: `before-due/${step.id}`, flowId: 'before-due', step, phase: 'before-due' as const }));
}

function overdueSteps(state: IssuedCase, policy: Policy): PlannedStep[] {
  const flowId = state.flowId;
  if (!flowId) return [];
  // A case keeps its flow across policy versions; a flow removed from the policy has no more steps.
  const flow = policy.flows[flowId];
  if (!flow) return [];
  return flow.steps.map((step) => ({ key: `${flowId}/${step.id}`, flowId, step, phase: 'overdue' as const }));
}

function paydayRuleOf(state: IssuedCase, context: DecideContext): PaydayRule {
  return learnPayday(context.history.paymentDates) ?? rulePackFor(state.invoice.customer.country).payday;
}

/** The calendar date a step is planned for; overdue steps move by the days the case was paused. */
function plannedDateOf(planned: PlannedStep, state: IssuedCase, context: DecideContext): LocalDate {
  const dueDate = state.invoice.dueDate;
  const shift = planned.phase === 'overdue' ? state.pausedDays : 0;
  const at = planned.step.at;
  if ('daysFromDue' in at) return addDays(dueDate, at.daysFromDue + shift);
  const earliest = addDays(dueDate, at.firstPaydayAtLeastDaysAfterDue + shift);
  return firstPaydayOnOrAfter(earliest, paydayRuleOf(state, context), state.invoice.customer.country, context.calendar);
}

function segmentationFacts(state: IssuedCase, context: DecideContext, today: LocalDate): { facts: SegmentationFacts; historyReason: string } {
  const customer = state.invoice.customer;
  const history = classifyHistory(
    { ...context.history, ...(customer.customerSince ? { customerSince: customer.customerSince } : {}) },
    today,
    state.invoice.invoiceId,
    context.policy.segmentation.history,
  );
  return {
    facts: {
      ...(state.score ? { score: state.score } : {}),
      historyClass: history.historyClass,
      outstanding: state.outstanding,
      customerType: customer.type,
      ...(history.tenureMonths !== undefined ? { tenureMonths: history.tenureMonths } : {}),
      ...(customer.brand ? { brand: customer.brand } : {}),
      country: customer.country,
    },
    historyReason: history.reason,
  };
}

function experimentTag(state: DunningCase): ExperimentTag | undefined {
  return state.experiment ? { experimentId: state.experiment.experimentId, armId: state.experiment.armId } : undefined;
}

function skipped(state: DunningCase, planned: PlannedStep, reason: string, detail: string, policyVersion: string, now: Instant): CaseDecision {
  const experiment = experimentTag(state);
  return {
    type: 'StepSkipped',
    stepKey: planned.key,
    stepId: planned.step.id,
    flowId: planned.flowId,
    reason,
    detail,
    ...(state.segment ? { segmentId: state.segment.segmentId } : {}),
    ...(experiment ? { experiment } : {}),
    policyVersion,
    at: now,
  };
}

function allContacts(state: DunningCase, context: DecideContext): Instant[] {
  const byAction = new Map<string, Instant>();
  for (const contact of context.customerContacts) byAction.set(contact.actionId, contact.at);
  for (const contact of state.contacts) byAction.set(contact.actionId, contact.at);
  return [...byAction.values()];
}

/**
 * The earliest instant at or after `from` inside the customer's contact window at which fewer
 * than the cap's contacts fall in the trailing period.
 */
function earliestUnderCap(from: Instant, contacts: readonly Instant[], where: CustomerWhereabouts, context: DecideContext): { at: Instant; capped: boolean } {
  const { maxContacts, perDays } = context.policy.contactCap;
  let candidate = nextContactInstant(from, where, context.policy.contactWindows, context.calendar);
  let capped = false;
  for (let attempt = 0; attempt < 50; attempt++) {
    const windowStart = toMillis(candidate) - perDays * DAY_MS;
    const inWindow = contacts.map(toMillis).filter((at) => at > windowStart && at <= toMillis(candidate)).sort((a, b) => a - b);
    if (inWindow.length < maxContacts) return { at: candidate, capped };
    capped = true;
    // The window frees up when its oldest contacts age out.
    const freesAt = (inWindow[inWindow.length - maxContacts] ?? 0) + perDays * DAY_MS;
    candidate = nextContactInstant(new Date(freesAt).toISOString(), where, context.policy.contactWindows, context.calendar);
  }
  throw new Error('contact cap search did not converge');
}

function judgeStep(planned: PlannedStep, state: IssuedCase, context: DecideContext, today: LocalDate, policyVersion: string): StepVerdict {
  const { step } = planned;
  const { now, policy, calendar } = context;
  const customer = state.invoice.customer;
  const dueDate = state.invoice.dueDate;
  const outstanding = state.outstanding;
  const plannedDate = plannedDateOf(planned, state, context);
  const plannedStart = startOfLocalDay(plannedDate, customer.timeZone);
  const where = { timeZone: customer.timeZone, country: customer.country };
  const purpose = `step ${planned.key}`;

  if (toMillis(now) < toMillis(plannedStart)) {
    return { kind: 'wait', until: nextContactInstant(plannedStart, where, policy.contactWindows, calendar), purpose };
  }
  if (planned.phase === 'before-due' && today > dueDate) {
    return { kind: 'skip', reason: 'past-due-date', detail: `a before-due step on ${today}, after the due date ${dueDate}` };
  }
  if (step.action === 'nothing') return { kind: 'skip', reason: 'policy-says-nothing', detail: `flow ${planned.flowId} deliberately does nothing here` };

  const minimum = step.guards?.minOutstanding?.[outstanding.currency];
  if (minimum !== undefined && outstanding.minor < minimum) {
    return { kind: 'skip', reason: 'below-minimum-outstanding', detail: `${outstanding.minor} < ${minimum} ${outstanding.currency} minor units` };
  }
  const threshold = step.guards?.skipIfProbabilityPayWithoutCollectionAtLeast;
  if (threshold !== undefined && state.score && state.score.probabilityPayWithoutCollection >= threshold) {
    return {
      kind: 'skip',
      reason: 'predicted-to-pay-without-it',
      detail: `probability ${state.score.probabilityPayWithoutCollection} >= ${threshold} (model ${state.score.modelVersion})`,
    };
  }

  let channel: Channel | undefined;
  let fallbackChannels: readonly Channel[] | undefined;
  if (step.action === 'reminder') {
    const candidates = [...(step.channel ? [step.channel] : []), ...(step.fallbackChannels ?? [])];
    channel = candidates.find((candidate) => customer.consent[candidate]);
    if (!channel) return { kind: 'skip', reason: 'no-consented-channel', detail: `no consent for ${candidates.join(', ')}` };
    // What the policy still allows after the chosen channel; the notifier re-checks consent and a
    // contact on file at send time, which only it can see.
    fallbackChannels = [...new Set(candidates.slice(candidates.indexOf(channel) + 1))].filter((candidate) => candidate !== channel);
  }

  // When may it happen: not before the plan, not sooner than the gap after the last contact,
  // inside the contact window, and (for reminders) under the contact cap.
  const contacts = allContacts(state, context);
  const lastContact = contacts.length > 0 ? contacts.reduce((a, b) => (toMillis(a) >= toMillis(b) ? a : b)) : undefined;
  let earliest = maxInstant(now, plannedStart);
  if (lastContact) earliest = maxInstant(earliest, addDaysToInstant(lastContact, policy.minDaysBetweenContacts));
  const slot = step.action === 'reminder' ? earliestUnderCap(earliest, contacts, where, context) : { at: nextContactInstant(earliest, where, policy.contactWindows, calendar), capped: false };

  const maxDelayDays = step.guards?.maxDelayDays ?? (step.action === 'handoff' ? undefined : DEFAULT_MAX_DELAY_DAYS[planned.phase === 'before-due' ? 'beforeDue' : 'overdue']);
  const latest = maxDelayDays === undefined ? undefined : startOfLocalDay(addDays(plannedDate, maxDelayDays + 1), customer.timeZone);
  const lastMomentBeforeDue = planned.phase === 'before-due' ? startOfLocalDay(addDays(dueDate, 1), customer.timeZone) : undefined;
  const deadline = latest && lastMomentBeforeDue ? minInstant(latest, lastMomentBeforeDue) : (latest ?? lastMomentBeforeDue);
  if (deadline && toMillis(slot.at) >= toMillis(deadline)) {
    return {
      kind: 'skip',
      reason: slot.capped ? 'contact-cap' : 'no-slot-in-time',
      detail: slot.capped
        ? `at most ${policy.contactCap.maxContacts} contacts per ${policy.contactCap.perDays} days; next free slot ${slot.at} is too late`
        : `the next allowed moment ${slot.at} is past ${deadline}`,
    };
  }
  if (toMillis(slot.at) > toMillis(now)) {
    return { kind: 'wait', until: slot.at, purpose: slot.capped ? `${purpose} (contact cap)` : purpose };
  }

  const fee = step.fee?.reminderFee[outstanding.currency];
  const charges = enforceRulePack(
    {
      action: step.action === 'handoff' ? 'handoff' : 'reminder',
      ...(channel ? { channel } : {}),
      ...(fee !== undefined ? { reminderFee: { minor: fee, currency: outstanding.currency } } : {}),
      businessCompensation: step.businessCompensation === true,
      defaultInterest: step.defaultInterest === true,
      ...(step.payWithinDays !== undefined ? { payWithinDays: step.payWithinDays } : {}),
    },
    {
      country: customer.country,
      customerType: customer.type,
      reminderFeeAgreed: reminderFeeAgreed(policy, customer.brand),
      today,
      dueDate,
      outstanding,
      reminderFeesCharged: state.reminderFeesCharged,
      compensationsCharged: state.compensationsCharged,
      overdueRemindersRequested: state.overdueRemindersRequested,
    },
  );
  const experiment = experimentTag(state);
  const segmentText = state.segment ? ` for segment ${state.segment.segmentId}` : '';
  const armText = experiment ? ` (experiment ${experiment.experimentId}, arm ${experiment.armId})` : '';
  return {
    kind: 'request',
    decision: {
      type: 'ActionRequested',
      action: {
        actionId: `${state.caseId}/${planned.key}`,
        caseId: state.caseId,
        invoiceId: state.invoice.invoiceId,
        customerId: customer.customerId,
        stepKey: planned.key,
        stepId: step.id,
        flowId: planned.flowId,
        kind: step.action === 'handoff' ? 'handoff' : 'reminder',
        ...(channel ? { channel } : {}),
        ...(fallbackChannels ? { fallbackChannels } : {}),
        // The schema requires a template on reminder and handoff steps.
        template: step.template ?? step.id,
        ...(customer.locale ? { locale: customer.locale } : {}),
        outstanding,
        ...(charges.reminderFee ? { reminderFee: charges.reminderFee } : {}),
        ...(charges.businessCompensation ? { businessCompensation: charges.businessCompensation } : {}),
        ...(charges.interest ? { interest: charges.interest } : {}),
        ...(charges.payBy ? { payBy: charges.payBy } : {}),
        adjustments: charges.adjustments,
        reason: `step ${step.id} of flow ${planned.flowId}${segmentText}${armText}, planned for ${plannedDate} (due ${dueDate})`,
        ...(state.segment ? { segmentId: state.segment.segmentId } : {}),
        policyVersion,
        ...(experiment ? { experiment } : {}),
        requestedAt: now,
      },
    },
  };
}

function reminderFeeAgreed(policy: Policy, brand: string | undefined): boolean {
  const byBrand = brand ? policy.contractTerms.reminderFeeAgreedByBrand?.[brand] : undefined;
  return byBrand ?? policy.contractTerms.reminderFeeAgreedByDefault;
}
