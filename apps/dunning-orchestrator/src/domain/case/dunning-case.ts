import type { Channel, Money } from '../money';
import type { Score } from '../policy/segmentation';
import { addDays, DAY_MS, maxInstant, startOfLocalDay, toMillis, type Instant, type LocalDate } from '../time/time';
import type { CaseEvent, CloseReason, CustomerProfile, ExperimentTag, Installment, PauseReason } from './events';

export interface InvoiceFacts {
  readonly invoiceId: string;
  readonly issuedAt: Instant;
  readonly dueDate: LocalDate;
  readonly amount: Money;
  readonly customer: CustomerProfile;
}

/** A case whose invoice was issued: what decide works on. */
export type IssuedCase = DunningCase & { readonly invoice: InvoiceFacts; readonly outstanding: Money };

export function isIssued(state: DunningCase): state is IssuedCase {
  return state.invoice !== undefined && state.outstanding !== undefined;
}

export type CaseStatus = 'none' | 'open' | 'paused' | 'handoff-requested' | 'handed-off' | 'closed';

export interface StepRecord {
  readonly outcome: 'requested' | 'skipped';
  readonly at: Instant;
  readonly actionId?: string;
  readonly kind?: 'reminder' | 'handoff';
  readonly channel?: Channel;
  readonly reason?: string;
  readonly delivery?: 'delivered' | 'failed';
}

/**
 * One invoice's dunning case: a process manager that reacts to facts about the invoice and to
 * time. Its state is a left fold of its events (inputs and its own decisions) and nothing else.
 */
export interface DunningCase {
  readonly status: CaseStatus;
  readonly caseId: string;
  /** Set once the invoice is issued; a case without it has seen nothing but early scores. */
  readonly invoice?: InvoiceFacts;
  readonly outstanding?: Money;
  readonly lastBalanceChange?: 'payment' | 'credit';
  readonly paidInFullAt?: Instant;
  /** Paid since the case got its experiment arm (experiment results: amount recovered). */
  readonly paidSinceAssignment: number;
  readonly dispute?: { readonly since: Instant; readonly outcome?: 'upheld' | 'rejected' };
  readonly plan?: { readonly planId: string; readonly agreedAt: Instant; readonly installments: readonly Installment[]; readonly paidSinceAgreement: number; readonly broken: boolean };
  readonly paused?: { readonly reason: PauseReason; readonly since: Instant };
  /** Days the overdue part of the flow was paused: later steps move by as much. */
  readonly pausedDays: number;
  readonly score?: Score;
  readonly segment?: { readonly segmentId: string; readonly flowId: string; readonly scored: boolean; readonly at: Instant };
  /** `flowBySegment`: the arm keeps the segment's flow, so a re-evaluation may change it as without an experiment. */
  readonly experiment?: ExperimentTag & { readonly control: boolean; readonly bucket: number; readonly at: Instant; readonly flowBySegment: boolean };
  readonly flowId?: string;
  readonly steps: Readonly<Record<string, StepRecord>>;
  /** This case's contacts with the customer (reminders requested). */
  readonly contacts: readonly { readonly actionId: string; readonly at: Instant }[];
  readonly reminderFeesCharged: number;
  readonly compensationsCharged: number;
  readonly overdueRemindersRequested: number;
  readonly reevaluation?: 'partial-payment' | 'credit' | 'score';
  readonly timer?: { readonly timerId: string; readonly fireAt: Instant; readonly purpose: string };
  readonly timerSequence: number;
  readonly handoff?: { readonly requestedAt: Instant; readonly acceptedAt?: Instant; readonly declinedAt?: Instant; readonly recalledAt?: Instant };
  readonly closed?: { readonly reason: CloseReason; readonly at: Instant };
}

export function initialCase(caseId: string): DunningCase {
  return { status: 'none', caseId, pausedDays: 0, paidSinceAssignment: 0, steps: {}, contacts: [], reminderFeesCharged: 0, compensationsCharged: 0, overdueRemindersRequested: 0, timerSequence: 0 };
}

function latestScore(current: Score | undefined, incoming: Score): Score {
  return current && toMillis(current.scoredAt) > toMillis(incoming.scoredAt) ? current : incoming;
}

function pauseShiftDays(state: DunningCase, resumedAt: Instant): number {
  if (!state.paused || !state.invoice) return 0;
  const overdueFrom = startOfLocalDay(addDays(state.invoice.dueDate, 1), state.invoice.customer.timeZone);
  const from = maxInstant(state.paused.since, overdueFrom);
  const pausedMs = toMillis(resumedAt) - toMillis(from);
  return pausedMs > 0 ? Math.ceil(pausedMs / DAY_MS) : 0;
}

/** Applies one event to the case. Pure, total, and deterministic: the same events give the same case. */
export function evolve(state: DunningCase, event: CaseEvent): DunningCase {
  switch (event.type) {
    case 'InvoiceIssued':
      if (state.status !== 'none') return state; // a repeat of the issue changes nothing
      return {
        ...state,
        status: 'open',
        invoice: { invoiceId: event.invoiceId, issuedAt: event.issuedAt, dueDate: event.dueDate, amount: event.amount, customer: event.customer },
        outstanding: event.balance ?? event.amount,
      };
    case 'PaymentApplied':
    case 'InvoiceCredited': {
      if (state.status === 'none') return state;
      const settled = event.outstanding.minor <= 0;
      const at = event.type === 'PaymentApplied' ? event.receivedAt : event.creditedAt;
      const plan = state.plan && event.type === 'PaymentApplied' ? { ...state.plan, paidSinceAgreement: state.plan.paidSinceAgreement + event.amount.minor } : state.plan;
      const trigger = event.type === 'PaymentApplied' ? 'partial-payment' : 'credit';
      return {
        ...state,
        outstanding: event.outstanding,
        lastBalanceChange: event.type === 'PaymentApplied' ? 'payment' : 'credit',
        ...(settled && !state.paidInFullAt ? { paidInFullAt: at } : {}),
        ...(plan ? { plan } : {}),
        ...(event.type === 'PaymentApplied' && state.experiment ? { paidSinceAssignment: state.paidSinceAssignment + event.amount.minor } : {}),
        ...(!settled && state.segment && state.status !== 'closed' ? { reevaluation: trigger } : {}),
      };
    }
    case 'InvoiceSettled':
      if (state.status === 'none' || !state.outstanding) return state;
      return {
        ...state,
        outstanding: { minor: 0, currency: state.outstanding.currency },
        lastBalanceChange: event.settledBy,
        ...(!state.paidInFullAt ? { paidInFullAt: event.settledAt } : {}),
      };
    case 'PaymentPlanBroken':
      return state.plan ? { ...state, plan: { ...state.plan, broken: true } } : state;
    case 'InvoiceDisputed':
      if (state.status === 'none') return state;
      return { ...state, dispute: { since: event.disputedAt } };
    case 'DisputeResolved':
      if (!state.dispute) return state;
      return { ...state, dispute: { ...state.dispute, outcome: event.outcome } };
    case 'PaymentPlanAgreed':
      if (state.status === 'none') return state;
      return { ...state, plan: { planId: event.planId, agreedAt: event.agreedAt, installments: event.installments, paidSinceAgreement: 0, broken: false } };
    case 'HandoffAccepted':
      if (state.status !== 'handoff-requested' || !state.handoff) return state;
      return { ...state, status: 'handed-off', handoff: { ...state.handoff, acceptedAt: event.at } };
    case 'HandoffDeclined':
      if (state.status !== 'handoff-requested' || !state.handoff) return state;
      return { ...state, status: 'open', handoff: { ...state.handoff, declinedAt: event.at } };
    case 'HandoffRecalled':
      if (!state.handoff) return state;
      return { ...state, handoff: { ...state.handoff, recalledAt: event.at } };
    case 'CustomerUpdated':
      if (!state.invoice) return state;
      return {
        ...state,
        invoice: {
          ...state.invoice,
          customer: { ...state.invoice.customer, ...event.customer, consent: { ...state.invoice.customer.consent, ...(event.customer.consent ?? {}) } },
        },
      };
    case 'ScoreReceived': {
      const score = latestScore(state.score, event.score);
      const rescore = state.segment && !state.segment.scored && state.status !== 'closed';
      return { ...state, score, ...(rescore ? { reevaluation: 'score' as const } : {}) };
    }
    case 'DeliveryReported': {
      const entry = Object.entries(state.steps).find(([, step]) => step.actionId === event.actionId);
      if (!entry) return state;
      const [key, step] = entry;
      return { ...state, steps: { ...state.steps, [key]: { ...step, delivery: event.status } } };
    }
    case 'TimerFired':
      return state.timer?.timerId === event.timerId ? withoutTimer(state) : state;

    // Decisions
    case 'SegmentAssigned':
      return { ...state, segment: { segmentId: event.segmentId, flowId: event.flowId, scored: event.modelVersion !== undefined, at: event.at }, flowId: event.flowId };
    case 'ExperimentArmAssigned':
      return {
        ...state,
        experiment: { experimentId: event.experimentId, armId: event.armId, control: event.control, bucket: event.bucket, at: event.at, flowBySegment: event.flowChosenBy === 'segment' },
        flowId: event.flowId,
      };
    case 'CaseReEvaluated': {
      const { reevaluation: _done, ...rest } = state;
      return {
        ...rest,
        segment: { segmentId: event.segmentId, flowId: event.flowId, scored: state.score !== undefined, at: event.at },
        flowId: flowFixedByArm(state) ? state.flowId : event.flowId,
      } as DunningCase;
    }
    case 'ActionRequested': {
      const action = event.action;
      const step: StepRecord = { outcome: 'requested', at: action.requestedAt, actionId: action.actionId, kind: action.kind, ...(action.channel ? { channel: action.channel } : {}) };
      const isReminder = action.kind === 'reminder';
      const invoice = state.invoice;
      const overdue = invoice !== undefined && toMillis(action.requestedAt) >= toMillis(startOfLocalDay(addDays(invoice.dueDate, 1), invoice.customer.timeZone));
      return {
        ...state,
        steps: { ...state.steps, [action.stepKey]: step },
        contacts: isReminder ? [...state.contacts, { actionId: action.actionId, at: action.requestedAt }] : state.contacts,
        reminderFeesCharged: state.reminderFeesCharged + (action.reminderFee && action.reminderFee.minor > 0 ? 1 : 0),
        compensationsCharged: state.compensationsCharged + (action.businessCompensation ? 1 : 0),
        overdueRemindersRequested: state.overdueRemindersRequested + (isReminder && overdue ? 1 : 0),
        ...(action.kind === 'handoff' ? { status: 'handoff-requested' as const, handoff: { requestedAt: action.requestedAt } } : {}),
      };
    }
    case 'StepSkipped':
      return { ...state, steps: { ...state.steps, [event.stepKey]: { outcome: 'skipped', at: event.at, reason: event.reason } } };
    case 'TimerScheduled':
      return { ...state, timer: { timerId: event.timerId, fireAt: event.fireAt, purpose: event.purpose }, timerSequence: state.timerSequence + 1 };
    case 'TimerCancelled':
      return state.timer?.timerId === event.timerId ? withoutTimer(state) : state;
    case 'CasePaused':
      return { ...state, status: 'paused', paused: { reason: event.reason, since: state.paused?.since ?? event.at } };
    case 'CaseResumed': {
      const { paused: _paused, ...rest } = state;
      return {
        ...rest,
        status: 'open',
        pausedDays: state.pausedDays + pauseShiftDays(state, event.at),
        ...(event.reason === 'payment-plan-installment-missed' && state.plan ? { plan: { ...state.plan, broken: true } } : {}),
      } as DunningCase;
    }
    case 'CaseClosed': {
      const closed = withoutTimer(state);
      return { ...closed, status: 'closed', closed: { reason: event.reason, at: event.at } };
    }
    default: {
      const unknown: never = event;
      throw new Error(`unknown case event ${JSON.stringify(unknown)}`);
    }
  }
}

/** An experiment arm with a flow of its own keeps it whatever the segment becomes; a `by-segment` arm does not. */
export function flowFixedByArm(state: DunningCase): boolean {
  return state.experiment !== undefined && !state.experiment.flowBySegment;
}

function withoutTimer(state: DunningCase): DunningCase {
  const { timer: _timer, ...rest } = state;
  return rest as DunningCase;
}

export function foldCase(caseId: string, events: readonly CaseEvent[]): DunningCase {
  return events.reduce(evolve, initialCase(caseId));
}
