// @dunning/contracts: the wire contracts of the platform. Pure (zod only): no Kafka client, no framework.

export * from './topics';
export * from './shared/primitives';
export * from './shared/vocabulary';

export * from './cloudevents/envelope';
export * from './cloudevents/kafka-record';
export * from './cloudevents/decode-error';
export * from './cloudevents/event-registry';
export * from './cloudevents/codec';

// Ingress (billing systems → invoicing). Exported as a namespace too, because billing and invoicing
// both have e.g. `invoiceCreditedData` (the ingress fact and invoicing's public event differ).
export * as billing from './billing/billing-events';
export {
  billingEventRegistry,
  billingEventSchema,
  billingEventDefinitions,
  type BillingEvent,
  type BillingEventType,
  type BillingEventOf,
  type BillingCustomer,
  type BillingCustomerUpdate,
} from './billing/billing-events';
export * from './billing/decode-billing-record';

// Integration events, one module per producing service.
export * as invoicing from './invoicing/invoicing-events';
export {
  invoicingEventRegistry,
  INVOICING_SOURCE,
  type InvoicingEvent,
  type InvoicingEventType,
  type InvoicingEventOf,
  type CustomerProfile,
} from './invoicing/invoicing-events';
export * as scoring from './scoring/scoring-events';
export { scoringEventRegistry, SCORING_SOURCE, type ScoringEvent, type ScoringEventType } from './scoring/scoring-events';
export * as dunning from './dunning/dunning-events';
export { dunningEventRegistry, DUNNING_SOURCE, type DunningEvent, type DunningEventType, type DunningEventOf } from './dunning/dunning-events';
export * as notifier from './notifier/notifier-events';
export { notifierEventRegistry, NOTIFIER_SOURCE, type NotifierEvent, type NotifierEventType, type NotifierEventOf } from './notifier/notifier-events';
export * as collection from './collection/collection-events';
export {
  collectionEventRegistry,
  COLLECTION_SOURCE,
  type CollectionEvent,
  type CollectionEventType,
  type CollectionEventOf,
} from './collection/collection-events';

export * from './catalog';
export * from './asyncapi/asyncapi-document';
export * from './fixtures/golden-record';
