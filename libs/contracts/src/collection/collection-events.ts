import { z } from 'zod';
import { defineIntegrationEvent } from '../cloudevents/envelope';
import { createEventRegistry, type EventOfRegistry } from '../cloudevents/event-registry';
import { customerId, entityId, instant, positiveMoney, reasonCode } from '../shared/primitives';
import { TOPICS } from '../topics';

// collection-handoff's public events (collection.cases.v1): the life of a case at a debt-collection
// agency, and hand-offs it cancelled because the invoice changed right before.

export const COLLECTION_SOURCE = 'urn:dunning:collection-handoff';

const collectionCaseId = entityId('the collection case id');
const invoiceId = entityId('the invoice id');
const agencyId = entityId('the agency id');
const actionId = entityId('the action id').meta({ description: 'The dunning.handoff.requested.v1 this case carries out.' });

export const caseOpenedData = z.object({
  collectionCaseId,
  actionId,
  invoiceId,
  customerId,
  agencyId,
  openedAt: instant,
  amount: positiveMoney.meta({ description: 'The balance handed to the agency.' }),
});

export const HANDOFF_CANCEL_REASONS = [
  'invoice-settled',
  'invoice-credited',
  'invoice-disputed',
  'payment-plan-agreed',
  'customer-terminated',
  // Added within v1: the re-check's further refusals, and what can stop a case before delivery.
  'payment-received',
  'dispute-upheld',
  'already-handed-off',
  'amount-mismatch',
  'invoice-unknown',
  'legal-data-missing',
  'no-agency',
] as const;
export const handoffCancelledData = z.object({
  actionId,
  invoiceId,
  customerId,
  cancelledAt: instant,
  reasonCode: reasonCode('why the hand-off did not happen', HANDOFF_CANCEL_REASONS),
});

export const COLLECTION_RECALL_REASONS = ['paid', 'credited', 'disputed', 'payment-plan', 'manual'] as const;
export const caseRecalledData = z.object({
  collectionCaseId,
  invoiceId,
  customerId,
  agencyId,
  recalledAt: instant,
  reasonCode: reasonCode('why the case was recalled', COLLECTION_RECALL_REASONS),
});

export const paidAtAgencyData = z.object({
  collectionCaseId,
  invoiceId,
  customerId,
  agencyId,
  paidAt: instant,
  amount: positiveMoney,
});

export const COLLECTION_OUTCOMES = ['paid-in-full', 'recalled', 'returned'] as const;
export const collectionCaseClosedData = z.object({
  collectionCaseId,
  invoiceId,
  customerId,
  agencyId,
  closedAt: instant,
  outcomeCode: reasonCode('how the case ended', COLLECTION_OUTCOMES),
});

export const RETURN_REASONS = ['uncollectable', 'customer-deceased', 'customer-insolvent', 'disputed-at-agency'] as const;
export const caseReturnedData = z.object({
  collectionCaseId,
  invoiceId,
  customerId,
  agencyId,
  returnedAt: instant,
  reasonCode: reasonCode('why the agency returned the case', RETURN_REASONS),
});

export const collectionCaseOpened = defineIntegrationEvent({
  type: 'collection.case.opened.v1',
  summary: 'The invoice was handed to an agency; a collection case is open.',
  data: caseOpenedData,
});
export const collectionHandoffCancelled = defineIntegrationEvent({
  type: 'collection.handoff.cancelled.v1',
  summary: 'A requested hand-off did not happen: the re-check found the invoice paid, credited, disputed or under a plan, or it could not be handed off (e.g. no agency, legal data missing).',
  data: handoffCancelledData,
});
export const collectionCaseRecalled = defineIntegrationEvent({
  type: 'collection.case.recalled.v1',
  summary: 'The case was recalled from the agency (e.g. a payment arrived after hand-off).',
  data: caseRecalledData,
});
export const collectionCasePaidAtAgency = defineIntegrationEvent({
  type: 'collection.case.paid-at-agency.v1',
  summary: 'The agency reports a payment on the case.',
  data: paidAtAgencyData,
});
export const collectionCaseClosed = defineIntegrationEvent({
  type: 'collection.case.closed.v1',
  summary: 'The collection case ended, with its outcome.',
  data: collectionCaseClosedData,
});
export const collectionCaseReturned = defineIntegrationEvent({
  type: 'collection.case.returned.v1',
  summary: 'The agency gave the case back, with the reason.',
  data: caseReturnedData,
});

export const collectionEventRegistry = createEventRegistry(
  {
    topic: TOPICS.collectionCases,
    title: 'Collection cases (collection-handoff)',
    description: 'Cases at debt-collection agencies. Record key = customerId.',
    producer: 'collection-handoff',
    consumers: ['dunning-orchestrator', 'invoicing'],
    timeRequired: true,
  },
  [collectionCaseOpened, collectionHandoffCancelled, collectionCaseRecalled, collectionCasePaidAtAgency, collectionCaseClosed, collectionCaseReturned],
);

export type CollectionEvent = EventOfRegistry<typeof collectionEventRegistry>;
export type CollectionEventType = CollectionEvent['type'];
export type CollectionEventOf<T extends CollectionEventType> = Extract<CollectionEvent, { type: T }>;
