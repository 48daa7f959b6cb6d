import { context as otelContext } from '@opentelemetry/api';
import { collectionEventRegistry, decodeRecord, type CollectionEvent } from '@dunning/contracts';
import { EventStoreConcurrencyError, type Inbox } from '@dunning/event-store';
import { RetriableError, type ConsumerRegistration, type RecordRejection } from '@dunning/messaging';
import type { AccountCache, AccountStore } from '../accounts/account-store';
import type { DeadLetters } from '../accounts/dead-letters';
import type { Origin } from '../accounts/origin';
import type { Clock } from '../clock';
import type { AccountCommand } from '../domain/commands';
import { money } from '../domain/money';
import { eventKey } from '../ingesting-billing-events/handler';

/**
 * Facts from collection-handoff (`collection.cases.v1`) that change an invoice's state in
 * invoicing: a case opened (the invoice is handed off) and a case recalled. The other case
 * events are the orchestrator's business and are skipped.
 */
export const COLLECTION_INBOX = 'invoicing.collection-cases';

export function toCollectionCommand(event: CollectionEvent, now: Date): AccountCommand | undefined {
  const metadata = { now: now.toISOString() };
  switch (event.type) {
    case 'collection.case.opened.v1': {
      const { collectionCaseId, invoiceId, customerId, agencyId, openedAt, amount } = event.data;
      return { type: 'RecordHandoff', data: { invoiceId, customerId, caseId: collectionCaseId, handedOffAt: openedAt, amount: money(amount.minor, amount.currency), agencyId }, metadata };
    }
    case 'collection.case.recalled.v1': {
      const { collectionCaseId, invoiceId, customerId, recalledAt, reasonCode } = event.data;
      return { type: 'RecordRecall', data: { invoiceId, customerId, caseId: collectionCaseId, recalledAt, reasonCode }, metadata };
    }
    default:
      return undefined;
  }
}

export interface CollectionConsumerDependencies {
  readonly groupId: string;
  readonly topic: string;
  readonly schema: string;
  readonly accounts: AccountStore;
  readonly inbox: Inbox;
  readonly deadLetters: DeadLetters;
  readonly clock: Clock;
}

export function collectionCasesConsumer(deps: CollectionConsumerDependencies): ConsumerRegistration<CollectionEvent> {
  return {
    groupId: deps.groupId,
    topics: [deps.topic],
    schema: deps.schema,
    decode: (record) => decodeRecord(record, collectionEventRegistry),
    handle: async (events, tx) => {
      const cache: AccountCache = new Map();
      const rejected: RecordRejection[] = [];
      for (const consumed of events) {
        const event = consumed.value;
        const now = deps.clock.now();
        const command = toCollectionCommand(event, now);
        if (!command) continue;
        const fresh = await deps.inbox.markProcessed(tx, COLLECTION_INBOX, [eventKey(event.source, event.id)]);
        if (fresh.length === 0) continue;
        const origin: Origin = {
          channel: 'kafka',
          topic: consumed.topic,
          partition: consumed.partition,
          offset: consumed.offset,
          eventSource: event.source,
          eventId: event.id,
          eventType: event.type,
          customerId: event.data.customerId,
          record: { key: consumed.key, value: null, headers: consumed.headers },
        };
        try {
          // Inside the record's span: the outbox rows this writes carry its trace downstream.
          const outcome = await otelContext.with(consumed.traceContext, () => deps.accounts.execute(tx, command, { origin, cache }));
          if (outcome.kind === 'rejected') {
            const { code, reason } = outcome.rejection;
            await deps.deadLetters.record(tx, { channel: 'kafka', origin, errorClass: 'BusinessRejection', code, reason, at: now });
            rejected.push({ offset: consumed.offset, code, reason });
          }
        } catch (error) {
          if (error instanceof EventStoreConcurrencyError) throw new RetriableError('concurrent-append', error.message, { cause: error });
          throw error;
        }
      }
      return { rejected };
    },
  };
}
