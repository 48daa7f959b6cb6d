import { billingEventRegistry } from './billing/billing-events';
import { decodeRecord } from './cloudevents/codec';
import type { DecodeResult } from './cloudevents/decode-error';
import type { EventRegistry } from './cloudevents/event-registry';
import type { KafkaRecordLike } from './cloudevents/kafka-record';
import { collectionEventRegistry, type CollectionEvent } from './collection/collection-events';
import { dunningEventRegistry, type DunningEvent } from './dunning/dunning-events';
import { invoicingEventRegistry, type InvoicingEvent } from './invoicing/invoicing-events';
import { notifierEventRegistry, type NotifierEvent } from './notifier/notifier-events';
import { scoringEventRegistry, type ScoringEvent } from './scoring/scoring-events';
import { TOPICS } from './topics';

// Every topic of the platform and what it carries: the source of docs/asyncapi.yaml and of the
// golden-fixture coverage check.

export const integrationRegistries = {
  [TOPICS.invoicingInvoices]: invoicingEventRegistry,
  [TOPICS.scoringScores]: scoringEventRegistry,
  [TOPICS.dunningActions]: dunningEventRegistry,
  [TOPICS.notifierDeliveries]: notifierEventRegistry,
  [TOPICS.collectionCases]: collectionEventRegistry,
} as const;

export type IntegrationTopic = keyof typeof integrationRegistries;

/** Every topic's registry, ingress first. */
export const ALL_EVENT_REGISTRIES: readonly EventRegistry[] = [billingEventRegistry, ...Object.values(integrationRegistries)];

export interface IntegrationEventByTopic {
  'invoicing.invoices.v1': InvoicingEvent;
  'scoring.scores.v1': ScoringEvent;
  'dunning.actions.v1': DunningEvent;
  'notifier.deliveries.v1': NotifierEvent;
  'collection.cases.v1': CollectionEvent;
}
export type IntegrationEvent = IntegrationEventByTopic[IntegrationTopic];

/** Decode a record read from one of our services' topics. */
export function decodeIntegrationRecord<T extends IntegrationTopic>(topic: T, record: KafkaRecordLike): DecodeResult<IntegrationEventByTopic[T]> {
  return decodeRecord(record, integrationRegistries[topic] as unknown as EventRegistry<IntegrationEventByTopic[T]>);
}

/** The registry of any topic (ingress or integration), or undefined. */
export function registryOfTopic(topic: string): EventRegistry | undefined {
  return ALL_EVENT_REGISTRIES.find((registry) => registry.topic === topic);
}
