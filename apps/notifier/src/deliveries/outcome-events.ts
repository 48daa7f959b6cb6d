import { encodeBinary, NOTIFIER_SOURCE, type NotifierEvent, type NotifierEventOf } from '@dunning/contracts';
import type { OutboxMessage } from '@dunning/event-store';
import type { Channel } from '../domain';

/** What the notifier tells the orchestrator, as data; mapped to notifier.deliveries.v1 at the outbox. */
export type DeliveryOutcome =
  | { readonly kind: 'sent'; readonly provider: string; readonly templateId: string; readonly at: Date }
  | { readonly kind: 'delivered'; readonly at: Date }
  | { readonly kind: 'failed'; readonly errorCode: string; readonly permanent: boolean; readonly at: Date }
  | { readonly kind: 'skipped'; readonly reasonCode: string; readonly at: Date };

export interface DeliveryIdentity {
  readonly deliveryId: string;
  readonly actionId: string;
  readonly invoiceId: string;
  readonly customerId: string;
  readonly channel: Channel;
}

/** The integration event of an outcome: ids, channel and codes only — never an address or a text. */
export function toIntegrationEvent(identity: DeliveryIdentity, outcome: DeliveryOutcome): NotifierEvent {
  const { deliveryId, actionId, invoiceId, customerId, channel } = identity;
  const envelope = <T extends NotifierEvent['type']>(type: T) => ({
    specversion: '1.0' as const,
    // One event per delivery and outcome kind: a re-publish after a relay crash carries the same id.
    id: `${deliveryId}:${outcome.kind}`,
    source: NOTIFIER_SOURCE,
    type,
    time: outcome.at.toISOString(),
    subject: invoiceId,
  });
  switch (outcome.kind) {
    case 'sent':
      return { ...envelope('notifier.message.sent.v1'), data: { deliveryId, actionId, invoiceId, customerId, channel, provider: outcome.provider, templateId: outcome.templateId, sentAt: outcome.at.toISOString() } } satisfies NotifierEventOf<'notifier.message.sent.v1'>;
    case 'delivered':
      return { ...envelope('notifier.message.delivered.v1'), data: { deliveryId, actionId, invoiceId, customerId, channel, deliveredAt: outcome.at.toISOString() } } satisfies NotifierEventOf<'notifier.message.delivered.v1'>;
    case 'failed':
      return { ...envelope('notifier.message.failed.v1'), data: { deliveryId, actionId, invoiceId, customerId, channel, failedAt: outcome.at.toISOString(), errorCode: outcome.errorCode, permanent: outcome.permanent } } satisfies NotifierEventOf<'notifier.message.failed.v1'>;
    case 'skipped':
      return { ...envelope('notifier.message.skipped.v1'), data: { actionId, invoiceId, customerId, channel, skippedAt: outcome.at.toISOString(), reasonCode: outcome.reasonCode } } satisfies NotifierEventOf<'notifier.message.skipped.v1'>;
    default: {
      const unknown: never = outcome;
      throw new Error(`unknown outcome ${JSON.stringify(unknown)}`);
    }
  }
}

export function toOutboxMessage(topic: string, event: NotifierEvent): OutboxMessage {
  const record = encodeBinary(event);
  return { topic, key: record.key, messageId: event.id, value: record.value, headers: record.headers };
}
