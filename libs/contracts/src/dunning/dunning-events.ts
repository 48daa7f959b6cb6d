import { z } from 'zod';
import { defineIntegrationEvent } from '../cloudevents/envelope';
import { createEventRegistry, type EventOfRegistry } from '../cloudevents/event-registry';
import { bcp47Locale, customerId, entityId, instant, positiveMoney, reasonCode, versionLabel } from '../shared/primitives';
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
