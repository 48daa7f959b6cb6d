import { DEAD_LETTER_HEADERS, DEAD_LETTER_SUFFIX, deadLetterTopicOf } from '@dunning/contracts';
import type { KafkaRecord, OutboundRecord } from './records';

// The dead-letter topic and header names are part of the contract (libs/contracts, docs/asyncapi.yaml):
// taken from there, so what is written and what is documented cannot drift apart.
export const DLQ_SUFFIX = DEAD_LETTER_SUFFIX;
export const deadLetterTopicFor = (topic: string): string => deadLetterTopicOf(topic);

/** Header names on a dead-lettered record. Values are origin coordinates and error metadata only. */
export const DlqHeaders = {
  originalTopic: DEAD_LETTER_HEADERS.originTopic,
  originalPartition: DEAD_LETTER_HEADERS.originPartition,
  originalOffset: DEAD_LETTER_HEADERS.originOffset,
  consumerGroup: DEAD_LETTER_HEADERS.consumerGroup,
  errorClass: DEAD_LETTER_HEADERS.errorClass,
  errorCode: DEAD_LETTER_HEADERS.errorCode,
  errorReason: DEAD_LETTER_HEADERS.errorReason,
  failedAt: DEAD_LETTER_HEADERS.failedAt,
} as const;

/** Headers a redrive adds to the re-published record (the DLQ record it came from, and when). */
export const RedriveHeaders = {
  fromTopic: 'redrive.dlq.topic',
  fromPartition: 'redrive.dlq.partition',
  fromOffset: 'redrive.dlq.offset',
  at: 'redrive.at',
  count: 'redrive.count',
} as const;

export interface DeadLetterCause {
  /** `DecodeError`, `BusinessRejection`, or the class name of a thrown `NonRetriableError`. */
  readonly errorClass: string;
  readonly code: string;
  /** Written as-is into a header: the caller guarantees it holds no personal data. */
  readonly reason: string;
}

const MAX_REASON_LENGTH = 500;
const MAX_CODE_LENGTH = 100;

// A reason is a sentence, not a payload: bounded, one line.
const clip = (text: string, max: number): string => {
  const oneLine = text.replace(/[\r\n]+/g, ' ');
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
};

/**
 * The DLQ copy of a record: same key, same value, original headers kept (previous `dlq.*`
 * headers dropped, so a record failing again is described by its latest failure), plus the
 * `dlq.*` headers. Nothing from the record's content is added.
 */
export function toDeadLetterRecord(record: KafkaRecord, groupId: string, cause: DeadLetterCause, failedAt: Date): OutboundRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.headers)) {
    if (!name.startsWith('dlq.')) headers[name] = value;
  }
  headers[DlqHeaders.originalTopic] = record.topic;
  headers[DlqHeaders.originalPartition] = String(record.partition);
  headers[DlqHeaders.originalOffset] = record.offset;
  headers[DlqHeaders.consumerGroup] = groupId;
  headers[DlqHeaders.errorClass] = clip(cause.errorClass, MAX_CODE_LENGTH);
  headers[DlqHeaders.errorCode] = clip(cause.code, MAX_CODE_LENGTH);
  headers[DlqHeaders.errorReason] = clip(cause.reason, MAX_REASON_LENGTH);
  headers[DlqHeaders.failedAt] = failedAt.toISOString();
  return { topic: deadLetterTopicFor(record.topic), key: record.key, value: record.value, headers };
}

/** What a DLQ record says about its failure, for redrive filters and tooling. */
export interface DeadLetterInfo {
  readonly dlqTopic: string;
  readonly dlqPartition: number;
  readonly dlqOffset: string;
  readonly originalTopic: string;
  readonly originalPartition: number;
  readonly originalOffset: string;
  readonly consumerGroup: string;
  readonly errorClass: string;
  readonly errorCode: string;
  readonly errorReason: string;
  readonly failedAt: Date;
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
}

export function readDeadLetterInfo(record: KafkaRecord): DeadLetterInfo | undefined {
  const h = record.headers;
  const originalTopic = h[DlqHeaders.originalTopic];
  const originalPartition = h[DlqHeaders.originalPartition];
  const originalOffset = h[DlqHeaders.originalOffset];
  if (originalTopic === undefined || originalPartition === undefined || originalOffset === undefined) return undefined;
  return {
    dlqTopic: record.topic,
    dlqPartition: record.partition,
    dlqOffset: record.offset,
    originalTopic,
    originalPartition: Number(originalPartition),
    originalOffset,
    consumerGroup: h[DlqHeaders.consumerGroup] ?? '',
    errorClass: h[DlqHeaders.errorClass] ?? '',
    errorCode: h[DlqHeaders.errorCode] ?? '',
    errorReason: h[DlqHeaders.errorReason] ?? '',
    failedAt: new Date(h[DlqHeaders.failedAt] ?? 0),
    key: record.key,
    headers: h,
  };
}

/** The record a redrive publishes: the original topic, key, value and headers, plus redrive marks. */
export function toRedriveRecord(record: KafkaRecord, info: DeadLetterInfo, at: Date): OutboundRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.headers)) {
    if (!name.startsWith('dlq.')) headers[name] = value;
  }
  const previous = Number(headers[RedriveHeaders.count] ?? '0');
  headers[RedriveHeaders.fromTopic] = info.dlqTopic;
  headers[RedriveHeaders.fromPartition] = String(info.dlqPartition);
  headers[RedriveHeaders.fromOffset] = info.dlqOffset;
  headers[RedriveHeaders.at] = at.toISOString();
  headers[RedriveHeaders.count] = String((Number.isFinite(previous) ? previous : 0) + 1);
  return { topic: info.originalTopic, key: record.key, value: record.value, headers };
}
