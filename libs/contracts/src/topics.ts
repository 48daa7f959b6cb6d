// Topic names are contracts too: versioned in the name, one topic per producing service (plus the ingress).

export const TOPICS = {
  /** Ingress: telecom billing systems → invoicing. */
  billingEvents: 'billing.events.v1',
  /** invoicing → orchestrator, scoring, collection-handoff. */
  invoicingInvoices: 'invoicing.invoices.v1',
  /** scoring → orchestrator. */
  scoringScores: 'scoring.scores.v1',
  /** dunning-orchestrator → notifier, collection-handoff. */
  dunningActions: 'dunning.actions.v1',
  /** notifier → orchestrator. */
  notifierDeliveries: 'notifier.deliveries.v1',
  /** collection-handoff → orchestrator. */
  collectionCases: 'collection.cases.v1',
} as const;
export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export const DEAD_LETTER_SUFFIX = '.dlq';

/** The dead-letter topic of a topic: `<topic>.dlq`, e.g. billing.events.v1.dlq. */
export const deadLetterTopicOf = <T extends string>(topic: T): `${T}.dlq` => `${topic}${DEAD_LETTER_SUFFIX}`;

/**
 * Headers a dead-lettered record carries on top of its original headers, key and value (which are kept
 * unchanged so it can be replayed). Values are free of personal data: the reason comes from the codec,
 * which never echoes it.
 */
export const DEAD_LETTER_HEADERS = {
  originTopic: 'dlq_origin_topic',
  originPartition: 'dlq_origin_partition',
  originOffset: 'dlq_origin_offset',
  /** A DecodeErrorCode, or a processing error code of the consuming service. */
  errorCode: 'dlq_error_code',
  /** The human-readable reason (DecodeError.reason). */
  errorReason: 'dlq_error_reason',
  /** The failing field, e.g. data.amount.minor, when known. */
  errorField: 'dlq_error_field',
  /** The consumer group that gave up on the record. */
  consumerGroup: 'dlq_consumer_group',
  /** When it was dead-lettered, ISO 8601 UTC. */
  failedAt: 'dlq_failed_at',
} as const;
