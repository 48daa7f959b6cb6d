import {
  COLLECTION_SOURCE,
  collectionEventRegistry,
  encodeBinary,
  type CollectionEvent,
} from '@dunning/contracts';
import type { OutboxMessage } from '@dunning/event-store';
import type { CaseEvent, CollectionCase, RecallReason } from '../domain';

// The gateway from collection-handoff's domain events to its public messages on collection.cases.v1.
// Only facts other services act on become public; the steps in between (approved, delivery started,
// recall requested) stay inside.

const CANCEL_REASON_OF_RECALL: Readonly<Record<RecallReason, string>> = {
  paid: 'payment-received',
  credited: 'invoice-credited',
  disputed: 'invoice-disputed',
  'payment-plan': 'payment-plan-agreed',
};

/** The public event for one domain event, or undefined if it stays internal. */
export function toPublicEvent(event: CaseEvent, after: CollectionCase, eventId: string): CollectionEvent | undefined {
  const base = { specversion: '1.0' as const, id: eventId, source: COLLECTION_SOURCE, subject: after.collectionCaseId };
  const ids = { collectionCaseId: after.collectionCaseId, invoiceId: after.invoiceId, customerId: after.customerId };
  const agencyId = after.approval?.agencyId ?? 'unknown';
  let candidate: unknown;
  switch (event.type) {
    case 'handed-off':
      candidate = {
        ...base,
        type: 'collection.case.opened.v1',
        time: event.data.handedOffAt,
        data: { ...ids, actionId: after.actionId, agencyId: event.data.agencyId, openedAt: event.data.handedOffAt, amount: after.approval?.claim.principal },
      };
      break;
    case 'handoff-refused':
      candidate = {
        ...base,
        type: 'collection.handoff.cancelled.v1',
        time: event.data.refusedAt,
        data: { actionId: after.actionId, invoiceId: after.invoiceId, customerId: after.customerId, cancelledAt: event.data.refusedAt, reasonCode: event.data.reason },
      };
      break;
    case 'handoff-withdrawn':
      candidate = {
        ...base,
        type: 'collection.handoff.cancelled.v1',
        time: event.data.withdrawnAt,
        data: { actionId: after.actionId, invoiceId: after.invoiceId, customerId: after.customerId, cancelledAt: event.data.withdrawnAt, reasonCode: CANCEL_REASON_OF_RECALL[event.data.reason] },
      };
      break;
    case 'recalled':
      candidate = { ...base, type: 'collection.case.recalled.v1', time: event.data.recalledAt, data: { ...ids, agencyId, recalledAt: event.data.recalledAt, reasonCode: event.data.reason } };
      break;
    case 'agency-payment-reported':
      candidate = { ...base, type: 'collection.case.paid-at-agency.v1', time: event.data.paidAt, data: { ...ids, agencyId, paidAt: event.data.paidAt, amount: event.data.amount } };
      break;
    case 'agency-closed-case':
      candidate = { ...base, type: 'collection.case.closed.v1', time: event.data.closedAt, data: { ...ids, agencyId, closedAt: event.data.closedAt, outcomeCode: event.data.outcome } };
      break;
    case 'agency-returned-case':
      candidate = { ...base, type: 'collection.case.returned.v1', time: event.data.returnedAt, data: { ...ids, agencyId, returnedAt: event.data.returnedAt, reasonCode: event.data.reason } };
      break;
    case 'handoff-requested':
    case 'handoff-approved':
    case 'delivery-started':
    case 'recall-requested':
      return undefined;
  }
  // Never publish what the contract would reject: a bug here must fail the transaction, not a consumer.
  return collectionEventRegistry.schema.parse(candidate);
}

export function toOutboxMessage(event: CollectionEvent, topic: string): OutboxMessage {
  const record = encodeBinary(event);
  return { topic, key: record.key, messageId: event.id, value: record.value, headers: record.headers };
}
