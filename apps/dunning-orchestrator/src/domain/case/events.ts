import type { InterestClaim, RuleAdjustment } from '../law/enforce-rule-pack';
import type { Channel, Money } from '../money';
import type { HistoryClass } from '../policy/policy-schema';
import type { Score } from '../policy/segmentation';
import type { Instant, LocalDate } from '../time/time';

/**
 * What the orchestrator keeps about a customer: where they are, what kind of customer, and which
 * channels they agreed to. No name, address, e-mail or phone number: those stay with invoicing and
 * the notifier (promise 7).
 */
export interface CustomerProfile {
  readonly customerId: string;
  readonly type: 'consumer' | 'business';
  readonly timeZone: string;
  /** ISO 3166-1 alpha-2; chooses the rule pack and the holidays. */
  readonly country: string;
  readonly locale?: string;
  readonly customerSince?: LocalDate;
  readonly brand?: string;
  readonly consent: Readonly<Record<Channel, boolean>>;
}

export interface Installment {
  readonly dueDate: LocalDate;
  readonly amount: Money;
}

// ---------------------------------------------------------------------------------------------
// Inputs: facts from other services (mapped from their integration events) and timer wake-ups.
// ---------------------------------------------------------------------------------------------

export type CaseInput =
  | {
      readonly type: 'InvoiceIssued';
      readonly invoiceId: string;
      readonly issuedAt: Instant;
      readonly dueDate: LocalDate;
      readonly amount: Money;
      /** What is left to pay at issue (customer credit may cover part); the amount when absent. */
      readonly balance?: Money;
      readonly customer: CustomerProfile;
    }
  /** `outstanding` is invoicing's balance after the payment: it owns the matching of payments. */
  | { readonly type: 'PaymentApplied'; readonly paymentId: string; readonly amount: Money; readonly outstanding: Money; readonly receivedAt: Instant }
  | { readonly type: 'InvoiceCredited'; readonly creditNoteId: string; readonly amount: Money; readonly outstanding: Money; readonly creditedAt: Instant }
  /** Invoicing says the balance reached zero (after the payment or credit that did it). */
  | { readonly type: 'InvoiceSettled'; readonly settledAt: Instant; readonly settledBy: 'payment' | 'credit' }
  | { readonly type: 'InvoiceDisputed'; readonly disputedAt: Instant }
  | { readonly type: 'DisputeResolved'; readonly outcome: 'upheld' | 'rejected'; readonly resolvedAt: Instant }
  | { readonly type: 'PaymentPlanAgreed'; readonly planId: string; readonly agreedAt: Instant; readonly installments: readonly Installment[] }
  /** Invoicing saw an installment missed or the plan cancelled: dunning may resume. */
  | { readonly type: 'PaymentPlanBroken'; readonly at: Instant; readonly reason: string }
  | { readonly type: 'HandoffAccepted'; readonly at: Instant }
  /** collection-handoff re-checked the invoice right before handing off and did not. */
  | { readonly type: 'HandoffDeclined'; readonly at: Instant; readonly reason: string }
  | { readonly type: 'HandoffRecalled'; readonly at: Instant; readonly reason: string }
  | { readonly type: 'CustomerUpdated'; readonly at: Instant; readonly customer: Partial<Omit<CustomerProfile, 'customerId'>> }
  | { readonly type: 'ScoreReceived'; readonly score: Score }
  | { readonly type: 'DeliveryReported'; readonly actionId: string; readonly status: 'delivered' | 'failed'; readonly at: Instant }
  | { readonly type: 'TimerFired'; readonly timerId: string; readonly at: Instant };

// ---------------------------------------------------------------------------------------------
// Decisions: what the orchestrator decided, as data. They are events of the case too: folding
// inputs and decisions in order re-builds the case exactly (crash-restart, replay).
// ---------------------------------------------------------------------------------------------

export interface ExperimentTag {
  readonly experimentId: string;
  readonly armId: string;
}

export interface RequestedAction {
  /** `<caseId>/<stepKey>`: deterministic, the idempotency key every effect downstream carries. */
  readonly actionId: string;
  readonly caseId: string;
  readonly invoiceId: string;
  readonly customerId: string;
  readonly stepKey: string;
  readonly stepId: string;
  readonly flowId: string;
  readonly kind: 'reminder' | 'handoff';
  readonly channel?: Channel;
  /** The step's other channels, in the policy's order after `channel`: where the notifier may turn if `channel` fails to reach. */
  readonly fallbackChannels?: readonly Channel[];
  readonly template: string;
  readonly locale?: string;
  readonly outstanding: Money;
  readonly reminderFee?: Money;
  readonly businessCompensation?: Money;
  readonly interest?: InterestClaim;
  readonly payBy?: LocalDate;
  /** What the country's rule pack changed in what the policy asked for. */
  readonly adjustments: readonly RuleAdjustment[];
  readonly reason: string;
  readonly segmentId?: string;
  readonly policyVersion: string;
  readonly experiment?: ExperimentTag;
  readonly requestedAt: Instant;
}

export type CloseReason = 'settled' | 'credited' | 'dispute-upheld';
export type PauseReason = 'dispute' | 'payment-plan';

export type CaseDecision =
  | {
      readonly type: 'SegmentAssigned';
      readonly segmentId: string;
      readonly flowId: string;
      readonly reasons: readonly string[];
      readonly historyClass: HistoryClass;
      readonly modelVersion?: string;
      readonly policyVersion: string;
      readonly at: Instant;
    }
  | {
      readonly type: 'ExperimentArmAssigned';
      readonly experimentId: string;
      readonly armId: string;
      readonly flowId: string;
      /** `segment`: an arm with flow `by-segment` keeps the segment's flow (and follows re-evaluations). Absent on events before it existed: `arm`. */
      readonly flowChosenBy?: 'arm' | 'segment';
      /** Why the case follows this flow (absent on events before it existed). */
      readonly reasons?: readonly string[];
      readonly control: boolean;
      readonly bucket: number;
      readonly policyVersion: string;
      readonly at: Instant;
    }
  | {
      readonly type: 'CaseReEvaluated';
      readonly trigger: 'partial-payment' | 'credit' | 'score';
      readonly segmentId: string;
      readonly flowId: string;
      readonly previousFlowId: string;
      readonly reasons: readonly string[];
      readonly outstanding: Money;
      readonly policyVersion: string;
      readonly at: Instant;
    }
  | { readonly type: 'ActionRequested'; readonly action: RequestedAction }
  | {
      readonly type: 'StepSkipped';
      readonly stepKey: string;
      readonly stepId: string;
      readonly flowId: string;
      readonly reason: string;
      readonly detail: string;
      readonly segmentId?: string;
      readonly experiment?: ExperimentTag;
      readonly policyVersion: string;
      readonly at: Instant;
    }
  | { readonly type: 'TimerScheduled'; readonly timerId: string; readonly fireAt: Instant; readonly purpose: string; readonly at: Instant }
  | { readonly type: 'TimerCancelled'; readonly timerId: string; readonly reason: string; readonly at: Instant }
  | { readonly type: 'CasePaused'; readonly reason: PauseReason; readonly at: Instant }
  | { readonly type: 'CaseResumed'; readonly reason: 'dispute-rejected' | 'payment-plan-installment-missed' | 'pause-ended'; readonly at: Instant }
  | { readonly type: 'CaseClosed'; readonly reason: CloseReason; readonly at: Instant };

export type CaseEvent = CaseInput | CaseDecision;

const DECISION_TYPES: ReadonlySet<string> = new Set([
  'SegmentAssigned',
  'ExperimentArmAssigned',
  'CaseReEvaluated',
  'ActionRequested',
  'StepSkipped',
  'TimerScheduled',
  'TimerCancelled',
  'CasePaused',
  'CaseResumed',
  'CaseClosed',
]);

export function isDecision(event: CaseEvent): event is CaseDecision {
  return DECISION_TYPES.has(event.type);
}
