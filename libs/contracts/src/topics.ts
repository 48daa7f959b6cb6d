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
 * Headers a dead-lettered record carries on top of its original headers, key and value (kept unchanged so it
 * can be replayed). libs/messaging writes them under these names (its DlqHeaders are taken from here); values
 * never hold personal data: the reason comes from the codec, which never echoes it.
 */
export const DEAD_LETTER_HEADERS = {
  originTopic: 'dlq.original.topic',
  originPartition: 'dlq.original.partition',
  originOffset: 'dlq.original.offset',
  consumerGroup: 'dlq.consumer.group',
  /** DecodeError, BusinessRejection, or the class of a non-retriable error. */
  errorClass: 'dlq.error.class',
  /** A DecodeErrorCode, or a processing error code of the consuming service. */
  errorCode: 'dlq.error.code',
  /** The human-readable reason (DecodeError.reason), one line, at most 500 characters. */
  errorReason: 'dlq.error.reason',
  /** When it was dead-lettered, ISO 8601 UTC. */
  failedAt: 'dlq.failed.at',
} as const;
