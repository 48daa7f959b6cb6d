import { z } from 'zod';
import { defineIntegrationEvent } from '../cloudevents/envelope';
import { createEventRegistry, type EventOfRegistry } from '../cloudevents/event-registry';
import { customerId, entityId, instant, reasonCode } from '../shared/primitives';
import { contactChannel } from '../shared/vocabulary';
import { TOPICS } from '../topics';

// notifier's public events (notifier.deliveries.v1): what became of each requested message. Never the
// address or the text of the message, only ids, the channel and the provider's codes.

export const NOTIFIER_SOURCE = 'urn:dunning:notifier';

const deliveryId = entityId('the delivery id');
const actionId = entityId('the action id').meta({ description: 'The dunning.reminder.requested.v1 this delivery carries out.' });
const invoiceId = entityId('the invoice id');

export const messageSentData = z.object({
  deliveryId,
  actionId,
  invoiceId,
  customerId,
  channel: contactChannel,
  provider: entityId('the provider, e.g. kannel, smtp'),
  templateId: entityId('the message template id'),
  sentAt: instant,
});

export const messageDeliveredData = z.object({
  deliveryId,
  actionId,
  invoiceId,
  customerId,
  channel: contactChannel,
  deliveredAt: instant,
});

export const messageFailedData = z.object({
  deliveryId,
  actionId,
  invoiceId,
  customerId,
  channel: contactChannel,
  failedAt: instant,
  errorCode: z.string().min(1).max(100).meta({ description: "The provider's error code (never its free-text message)." }),
  permanent: z.boolean().meta({ description: 'true: retrying will not help (e.g. unknown number).' }),
});

export const NOTIFIER_SKIP_REASONS = ['invoice-closed', 'no-consent', 'no-contact-on-file', 'contact-cap-reached', 'send-window-passed', 'duplicate-action'] as const;
export const messageSkippedData = z.object({
  actionId,
  invoiceId,
  customerId,
  channel: contactChannel,
  skippedAt: instant,
  reasonCode: reasonCode('why no message was sent', NOTIFIER_SKIP_REASONS),
});

export const notifierMessageSent = defineIntegrationEvent({
  type: 'notifier.message.sent.v1',
  summary: 'A message was handed to a provider.',
  data: messageSentData,
});
export const notifierMessageDelivered = defineIntegrationEvent({
  type: 'notifier.message.delivered.v1',
  summary: 'The provider confirmed delivery.',
  data: messageDeliveredData,
});
export const notifierMessageFailed = defineIntegrationEvent({
  type: 'notifier.message.failed.v1',
  summary: 'The message could not be delivered.',
  data: messageFailedData,
});
export const notifierMessageSkipped = defineIntegrationEvent({
  type: 'notifier.message.skipped.v1',
  summary: 'No message was sent for an action, with the reason.',
  data: messageSkippedData,
});

export const notifierEventRegistry = createEventRegistry(
  {
    topic: TOPICS.notifierDeliveries,
    title: 'Deliveries (notifier)',
    description: 'What became of each requested message. Record key = customerId.',
    producer: 'notifier',
    consumers: ['dunning-orchestrator'],
    timeRequired: true,
  },
  [notifierMessageSent, notifierMessageDelivered, notifierMessageFailed, notifierMessageSkipped],
);

export type NotifierEvent = EventOfRegistry<typeof notifierEventRegistry>;
export type NotifierEventType = NotifierEvent['type'];
export type NotifierEventOf<T extends NotifierEventType> = Extract<NotifierEvent, { type: T }>;
