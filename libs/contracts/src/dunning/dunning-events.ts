import { z } from 'zod';
import { defineIntegrationEvent } from '../cloudevents/envelope';
import { createEventRegistry, type EventOfRegistry } from '../cloudevents/event-registry';
import { bcp47Locale, calendarDate, customerId, entityId, instant, money, positiveMoney, reasonCode, versionLabel } from '../shared/primitives';
import { contactChannel, experimentAssignment } from '../shared/vocabulary';
import { TOPICS } from '../topics';

// dunning-orchestrator's public events (dunning.actions.v1). Every decision is an event with its reason:
// an action request (which the notifier or collection-handoff performs exactly once per actionId), a
// skipped step, an experiment assignment, a closed case.

export const DUNNING_SOURCE = 'urn:dunning:dunning-orchestrator';

const caseId = entityId('the dunning case id');
const invoiceId = entityId('the invoice id');
const actionId = entityId('the action id').meta({ description: 'Identifies the decision; effects happen at most once per actionId.' });
const stepId = entityId('the policy step id').meta({ description: 'The step of the dunning policy, e.g. reminder-1.' });
const policyVersion = versionLabel('the dunning policy version, e.g. se-consumer@3');

// What every decision carries so that it can be explained and evaluated afterwards (DESIGN: "every
// decision, and every step it skipped, is an event with its reason"): the reason in words, the
// segment and flow of the policy that chose it. Optional within v1: added after the first release.
const decisionReason = z
  .string({ error: 'expected the reason for the decision as a string' })
  .min(1, { error: 'expected the reason for the decision as a non-empty string' })
  .max(500, { error: 'expected the reason for the decision of at most 500 characters' })
  .meta({
    description: 'Why this was decided, in plain words for people (never personal data): step, flow, segment, experiment arm, planned date.',
    examples: ['step letter of flow firm for segment collection-helps, planned for 2026-04-25 (due 2026-03-31)'],
  });
const segmentId = entityId('the segment of the policy the case is in').meta({
  description: 'The segment of the policy the case was in when this was decided, e.g. first-time-late.',
  examples: ['first-time-late'],
});
const flowId = entityId('the flow of the policy').meta({
  description: "The policy's flow (sequence of steps) the case followed, e.g. gentle; under an experiment, the arm's flow.",
  examples: ['gentle'],
});
const payBy = calendarDate.meta({
  description: "The date the customer is asked to pay by (customer's time zone), after the country's minimum period was applied.",
  examples: ['2026-05-11'],
});

const basisPoints = (what: string) =>
  z
    .int({ error: `expected ${what} as a whole number of basis points` })
    .min(-10_000, { error: `expected ${what} between -10000 and 100000 basis points` })
    .max(100_000, { error: `expected ${what} between -10000 and 100000 basis points` });

export const interestPeriod = z
  .object({
    from: calendarDate.meta({ description: 'First day of the period (inclusive).' }),
    to: calendarDate.meta({ description: 'Last day of the period (inclusive).' }),
    annualRateBps: basisPoints('the annual rate').meta({ description: 'Annual interest rate of the period in basis points (base rate + surcharge; 1 % = 100).' }),
    baseRateBps: basisPoints('the base rate').meta({ description: 'The base rate in force during the period, in basis points (it may be negative).' }),
  })
  .meta({ description: 'A stretch of days with one interest rate (the base rate changes every half-year).' });

export const defaultInterestClaim = z
  .object({
    from: calendarDate.meta({ description: 'First day interest runs (the day after the due date).' }),
    to: calendarDate.meta({ description: 'Last day included in amount (the day of the decision); interest keeps running after it.' }),
    amount: money.meta({ description: 'Statutory default interest accrued from..to: simple interest, actual/365, integer minor units rounded down.' }),
    periods: z.array(interestPeriod).max(100).meta({ description: 'The periods the amount was computed over, one per base rate.' }),
  })
  .meta({ description: 'Statutory default interest claimed with this decision (e.g. Germany, § 288 BGB: base rate + 5 pp consumer / + 9 pp business).' });

export const ADJUSTMENT_EFFECTS = ['removed', 'capped', 'extended', 'not-computed'] as const;
export const legalAdjustment = z
  .object({
    rule: z
      .string({ error: 'expected the rule as a string' })
      .regex(/^[A-Za-z0-9]+(?:[.-][A-Za-z0-9]+)*$/, { error: 'expected the rule as a dotted name (e.g. SE.reminder-fee.ceiling)' })
      .max(100, { error: 'expected the rule of at most 100 characters' })
      .meta({ description: 'The rule of the country rule pack that applied, e.g. SE.reminder-fee.ceiling, general.no-fee-before-overdue.' }),
    effect: reasonCode('what the rule did to what the policy asked for', ADJUSTMENT_EFFECTS),
    detail: z
      .string({ error: 'expected the detail as a string' })
      .max(500, { error: 'expected the detail of at most 500 characters' })
      .meta({ description: 'The change in plain words with the law it rests on (never personal data).' }),
  })
  .meta({ description: "A change the country's rules of law made to what the policy asked for (a fee removed or capped, a period extended)." });

/**
 * The explanation and legal terms an action request carries besides what the consumer must do. The
 * reason is `decisionReason`, not `reason`: on the ingress `reason` is a person's free text (personal
 * data, never echoed), and the catalogue keeps that name out of integration events.
 */
const actionExplanation = {
  decisionReason: decisionReason.optional(),
  segmentId: segmentId.optional(),
  flowId: flowId.optional(),
  payBy: payBy.optional(),
  interest: defaultInterestClaim.optional(),
  businessCompensation: positiveMoney
    .optional()
    .meta({ description: 'Flat recovery fee claimed from a business customer with this action (Germany, § 288 Abs. 5 BGB: 40 EUR, once per invoice); absent: none.' }),
  legalAdjustments: z
    .array(legalAdjustment)
    .max(20)
    .optional()
    .meta({ description: "What the country's rules of law changed in what the policy asked for; absent or empty: nothing." }),
};

export const sendWindow = z
  .object({ notBefore: instant, notAfter: instant })
  .meta({ description: "When the message may be sent; the notifier still applies quiet hours in the customer's time zone." });

export const reminderRequestedData = z.object({
  actionId,
  caseId,
  invoiceId,
  customerId,
  requestedAt: instant,
  channel: contactChannel,
  templateId: entityId('the message template id'),
  locale: bcp47Locale,
  fee: positiveMoney.optional().meta({ description: 'Reminder fee to charge with this reminder; absent: no fee.' }),
  sendWindow: sendWindow.optional(),
  stepId,
  policyVersion,
  experiment: experimentAssignment.optional(),
  fallbackChannels: z
    .array(contactChannel)
    .max(3)
    .optional()
    .meta({
      description:
        "Channels to try, in this order, when the customer cannot be reached on `channel` (no consent, no contact on file), as the policy allows. Absent: the notifier's own configured fallbacks; empty: no fallback.",
    }),
  ...actionExplanation,
});

export const handoffRequestedData = z.object({
  actionId,
  caseId,
  invoiceId,
  customerId,
  requestedAt: instant,
  amountDue: positiveMoney,
  stepId,
  policyVersion,
  experiment: experimentAssignment.optional(),
  ...actionExplanation,
});

export const SKIP_REASONS = [
  'invoice-settled',
  'invoice-credited',
  'invoice-disputed',
  'payment-plan-honoured',
  'experiment-no-action',
  'predicted-to-pay',
  'contact-cap-reached',
  'no-reachable-channel',
  'legal-rule',
  'customer-terminated',
  // Codes the orchestrator's policy steps give (added within v1).
  'past-due-date',
  'policy-says-nothing',
  'below-minimum-outstanding',
  'predicted-to-pay-without-it',
  'no-consented-channel',
  'contact-cap',
  'no-slot-in-time',
] as const;
export const stepSkippedData = z.object({
  caseId,
  invoiceId,
  customerId,
  stepId,
  skippedAt: instant,
  reasonCode: reasonCode('why the step was skipped', SKIP_REASONS),
  detail: z.string().max(500).optional().meta({ description: 'A short explanation for people (never personal data).' }),
  policyVersion,
  experiment: experimentAssignment.optional(),
  segmentId: segmentId.optional(),
  flowId: flowId.optional(),
});

export const armAssignedData = z.object({
  experimentId: entityId('the experiment id'),
  arm: entityId('the arm name'),
  unit: z.enum(['customer', 'invoice']).meta({ description: 'What was randomized.' }),
  caseId,
  invoiceId,
  customerId,
  assignedAt: instant,
  policyVersion,
  bucket: z
    .number({ error: 'expected the bucket as a number in [0, 1)' })
    .min(0, { error: 'expected the bucket as a number in [0, 1)' })
    .lt(1, { error: 'expected the bucket as a number in [0, 1)' })
    .optional()
    .meta({ description: "The unit's deterministic position in [0, 1) for this experiment (from a hash of experiment and unit id); the arm is the one whose share of the weights contains it." }),
  flowId: flowId.optional().meta({ description: "The flow the arm prescribes for the case." }),
  flowChosenBy: z
    .enum(['arm', 'segment'])
    .optional()
    .meta({ description: "'segment': the arm (flow `by-segment` in the policy) keeps the flow the case's segment chose, e.g. a score-driven policy against a control arm; it stands for no single treatment. Absent: 'arm'." }),
  assignmentReasons: z
    .array(z.string().max(300))
    .max(10)
    .optional()
    .meta({ description: 'Why the case follows this flow, in words (never personal data): the bucket and arm, and what the arm prescribes or which segment it kept.' }),
});

export const CASE_OUTCOMES = ['paid', 'credited', 'dispute-upheld', 'handed-off', 'customer-terminated', 'written-off'] as const;
export const caseClosedData = z.object({
  caseId,
  invoiceId,
  customerId,
  closedAt: instant,
  outcomeCode: reasonCode('how the case ended', CASE_OUTCOMES),
});

export const dunningReminderRequested = defineIntegrationEvent({
  type: 'dunning.reminder.requested.v1',
  summary: 'Send a reminder on a channel with a template (and a fee, if any); the notifier does it exactly once per actionId.',
  data: reminderRequestedData,
});
export const dunningHandoffRequested = defineIntegrationEvent({
  type: 'dunning.handoff.requested.v1',
  summary: 'Hand the invoice to a collection agency; collection-handoff re-checks the invoice first.',
  data: handoffRequestedData,
});
export const dunningStepSkipped = defineIntegrationEvent({
  type: 'dunning.step.skipped.v1',
  summary: 'A policy step was not taken, with the reason.',
  data: stepSkippedData,
});
export const dunningArmAssigned = defineIntegrationEvent({
  type: 'dunning.experiment.arm-assigned.v1',
  summary: 'A case was randomly assigned to an experiment arm.',
  data: armAssignedData,
});
export const dunningCaseClosed = defineIntegrationEvent({
  type: 'dunning.case.closed.v1',
  summary: 'The dunning case ended, with its outcome.',
  data: caseClosedData,
});

export const dunningEventRegistry = createEventRegistry(
  {
    topic: TOPICS.dunningActions,
    title: 'Dunning decisions (dunning-orchestrator)',
    description: 'Decisions of the orchestrator: action requests, skipped steps with reasons, experiment assignments, closed cases. Record key = customerId.',
    producer: 'dunning-orchestrator',
    consumers: ['notifier', 'collection-handoff'],
    timeRequired: true,
  },
  [dunningReminderRequested, dunningHandoffRequested, dunningStepSkipped, dunningArmAssigned, dunningCaseClosed],
);

export type DunningEvent = EventOfRegistry<typeof dunningEventRegistry>;
export type DunningEventType = DunningEvent['type'];
export type DunningEventOf<T extends DunningEventType> = Extract<DunningEvent, { type: T }>;
