import type { AttributeValue } from '@opentelemetry/api';

/**
 * The one registry of span and metric attribute names used by the platform.
 *
 * Code elsewhere names attributes through these constants, never with string literals, and the
 * span attribute guard drops any attribute whose key is not listed here. Adding an attribute is
 * therefore a deliberate edit of this file, which is where the personal-data question gets asked:
 * an attribute may carry identifiers and codes, never a name, an e-mail address, a phone number or
 * a postal address. `customerId` is the billing system's pseudonymous id and is allowed.
 */
export const DunningAttributes = {
  invoice: { id: 'dunning.invoice_id' },
  customer: {
    /** Pseudonymous id assigned by the billing system; never a name or contact detail. */
    id: 'dunning.customer_id',
    /** `consumer` or `business`. */
    type: 'dunning.customer_type',
  },
  payment: { id: 'dunning.payment_id' },
  creditNote: { id: 'dunning.credit_note_id' },
  paymentPlan: { id: 'dunning.payment_plan_id' },
  case: { id: 'dunning.case_id' },
  money: {
    /** ISO 4217 code; amounts stay out of attributes (they are data, not telemetry). */
    currency: 'dunning.currency',
  },
  /** ISO 3166-1 alpha-2 country whose rules of law apply. */
  country: 'dunning.country',
  event: {
    /** Domain or integration event type, e.g. `billing.invoice.issued`. */
    type: 'dunning.event.type',
    id: 'dunning.event.id',
  },
  ingest: {
    /** `accepted`, `duplicate` or `rejected`. */
    outcome: 'dunning.ingest.outcome',
    /** A rejection reason code (never the offending value itself). */
    rejectionReason: 'dunning.ingest.rejection_reason',
  },
  decision: {
    id: 'dunning.decision_id',
    /** What the policy decided: an action type, `skip` or `wait`. */
    outcome: 'dunning.decision.outcome',
    /** Reason code of the decision or of the skipped step. */
    reason: 'dunning.decision.reason',
  },
  policy: { id: 'dunning.policy.id', version: 'dunning.policy.version' },
  segment: { name: 'dunning.segment.name' },
  experiment: { id: 'dunning.experiment.id', arm: 'dunning.experiment.arm' },
  model: { name: 'dunning.model.name', version: 'dunning.model.version' },
  timer: { id: 'dunning.timer_id', kind: 'dunning.timer.kind' },
  action: {
    id: 'dunning.action_id',
    /** `reminder`, `fee`, `collection_handoff`, … */
    type: 'dunning.action.type',
    /** `sms`, `email`, `letter`. The channel, never the address. */
    channel: 'dunning.action.channel',
  },
  delivery: {
    id: 'dunning.delivery_id',
    status: 'dunning.delivery.status',
    provider: 'dunning.delivery.provider',
    template: 'dunning.delivery.template',
    /** `sms`, `email`, `letter`: the channel a message goes out on (may be a fallback of the requested one). Never the address. */
    channel: 'dunning.delivery.channel',
    /** A code: why a delivery was skipped, deferred or failed (`invoice-closed`, `quiet-hours`, `smtp-550`). */
    reason: 'dunning.delivery.reason',
    /** The attempt's number (1 for the first provider call). */
    attempt: 'dunning.delivery.attempt',
    /** What the provider says about an unrecorded attempt: `accepted`, `not-accepted`, `unknown`, `indeterminate`. */
    reconcileVerdict: 'dunning.delivery.reconcile_verdict',
    /** A provider delivery report's type code (Kannel DLR: 1 delivered, 2 undelivered, 8 accepted, …). */
    reportType: 'dunning.delivery.report_type',
  },
  handoff: {
    id: 'dunning.handoff_id',
    agency: 'dunning.handoff.agency',
    status: 'dunning.handoff.status',
  },
  stream: {
    name: 'dunning.stream.name',
    versionBefore: 'dunning.stream.version.before',
    versionAfter: 'dunning.stream.version.after',
  },
  eventStore: {
    operation: 'dunning.eventstore.operation',
    eventCount: 'dunning.eventstore.event_count',
  },
  outbox: { batchSize: 'dunning.outbox.batch_size' },
  processor: {
    id: 'dunning.processor.id',
    batchSize: 'dunning.processor.batch_size',
  },
} as const;

/**
 * OpenTelemetry messaging semantic conventions (v1.3x) for Kafka, spelled out here so that the
 * registry is complete without the unstable `incubating` entry point.
 * Deliberately absent: `messaging.kafka.message.key` (the key is a customer id, which is already
 * covered by `dunning.customer_id`) and any message body attribute.
 */
export const MessagingAttributes = {
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destinationName: 'messaging.destination.name',
  partitionId: 'messaging.destination.partition.id',
  consumerGroupName: 'messaging.consumer.group.name',
  /** How a consumer processes its records (libs/messaging's consumer mode code); a code, never content. */
  consumerMode: 'messaging.consumer.mode',
  /** Why a record was dead-lettered or retried: the decoder's or handler's code, never a message. */
  errorCode: 'messaging.error.code',
  /** How processing a record ended (processed, skipped, dead-lettered): a code. */
  processOutcome: 'messaging.process.outcome',
  messageId: 'messaging.message.id',
  kafkaOffset: 'messaging.kafka.offset',
  kafkaTombstone: 'messaging.kafka.message.tombstone',
  batchMessageCount: 'messaging.batch.message_count',
  clientId: 'messaging.client.id',
} as const;

/** CloudEvents semantic conventions: the ingress contract's envelope. */
export const CloudEventsAttributes = {
  id: 'cloudevents.event_id',
  source: 'cloudevents.event_source',
  type: 'cloudevents.event_type',
  specVersion: 'cloudevents.event_spec_version',
} as const;

/** Stable general, HTTP and database conventions the services may set. */
export const GeneralAttributes = {
  errorType: 'error.type',
  exceptionType: 'exception.type',
  exceptionMessage: 'exception.message',
  exceptionStacktrace: 'exception.stacktrace',
  httpRequestMethod: 'http.request.method',
  httpRoute: 'http.route',
  httpResponseStatusCode: 'http.response.status_code',
  urlPath: 'url.path',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  dbSystemName: 'db.system.name',
  dbNamespace: 'db.namespace',
  dbOperationName: 'db.operation.name',
  dbCollectionName: 'db.collection.name',
} as const;

/** Values of `messaging.operation.type` (semantic conventions). */
export const MessagingOperationType = {
  create: 'create',
  send: 'send',
  receive: 'receive',
  process: 'process',
  settle: 'settle',
} as const;

export const MessagingSystem = { kafka: 'kafka' } as const;

/** Metric instrument names. Metric labels come from {@link METRIC_LABEL_ATTRIBUTES} only. */
export const DunningMetrics = {
  ingest: {
    events: 'dunning.ingest.events',
    rejections: 'dunning.ingest.rejections',
  },
  decisions: 'dunning.decisions',
  deliveries: 'dunning.deliveries',
  handoffs: 'dunning.handoffs',
  outbox: {
    relayDuration: 'dunning.outbox.relay.duration',
    pending: 'dunning.outbox.pending',
  },
  processor: {
    batchDuration: 'dunning.processor.batch.duration',
  },
  messaging: {
    sentMessages: 'messaging.client.sent.messages',
    consumedMessages: 'messaging.client.consumed.messages',
    processDuration: 'messaging.process.duration',
  },
} as const;

type LeafValues<T> = T extends string ? T : { [K in keyof T]: LeafValues<T[K]> }[keyof T];

export type AttributeName =
  | LeafValues<typeof DunningAttributes>
  | LeafValues<typeof MessagingAttributes>
  | LeafValues<typeof CloudEventsAttributes>
  | LeafValues<typeof GeneralAttributes>;

/** Attributes as other code passes them: keys from the registry only, checked by the compiler. */
export type TelemetryAttributes = Partial<Record<AttributeName, AttributeValue>>;

function leafValues(tree: unknown): string[] {
  if (typeof tree === 'string') return [tree];
  if (tree !== null && typeof tree === 'object') return Object.values(tree).flatMap(leafValues);
  return [];
}

/** Every attribute name allowed on a span, span event or link. */
export const ATTRIBUTE_REGISTRY: ReadonlySet<AttributeName> = new Set(
  [DunningAttributes, MessagingAttributes, CloudEventsAttributes, GeneralAttributes].flatMap(leafValues) as AttributeName[],
);

/**
 * The subset allowed as metric labels: low-cardinality codes only. Ids (invoice, customer,
 * payment, …), free text and stack traces would explode the series count, so they stay on spans.
 */
export const METRIC_LABEL_ATTRIBUTES: ReadonlySet<AttributeName> = new Set<AttributeName>([
  DunningAttributes.customer.type,
  DunningAttributes.money.currency,
  DunningAttributes.country,
  DunningAttributes.event.type,
  DunningAttributes.ingest.outcome,
  DunningAttributes.ingest.rejectionReason,
  DunningAttributes.decision.outcome,
  DunningAttributes.decision.reason,
  DunningAttributes.policy.id,
  DunningAttributes.policy.version,
  DunningAttributes.segment.name,
  DunningAttributes.experiment.id,
  DunningAttributes.experiment.arm,
  DunningAttributes.model.name,
  DunningAttributes.model.version,
  DunningAttributes.timer.kind,
  DunningAttributes.action.type,
  DunningAttributes.action.channel,
  DunningAttributes.delivery.status,
  DunningAttributes.delivery.provider,
  DunningAttributes.delivery.template,
  DunningAttributes.delivery.channel,
  DunningAttributes.delivery.reason,
  DunningAttributes.delivery.reconcileVerdict,
  DunningAttributes.handoff.agency,
  DunningAttributes.handoff.status,
  DunningAttributes.eventStore.operation,
  DunningAttributes.processor.id,
  MessagingAttributes.system,
  MessagingAttributes.operationType,
  MessagingAttributes.operationName,
  MessagingAttributes.destinationName,
  MessagingAttributes.partitionId,
  MessagingAttributes.consumerGroupName,
  MessagingAttributes.consumerMode,
  MessagingAttributes.errorCode,
  MessagingAttributes.processOutcome,
  CloudEventsAttributes.type,
  CloudEventsAttributes.source,
  GeneralAttributes.errorType,
  GeneralAttributes.httpRequestMethod,
  GeneralAttributes.httpRoute,
  GeneralAttributes.httpResponseStatusCode,
  GeneralAttributes.dbSystemName,
  GeneralAttributes.dbOperationName,
  GeneralAttributes.dbCollectionName,
]);

export function isRegisteredAttribute(key: string): key is AttributeName {
  return ATTRIBUTE_REGISTRY.has(key as AttributeName);
}
