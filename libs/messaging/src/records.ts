import type { IHeaders, KafkaMessage } from 'kafkajs';

/** A consumed record as decoders and handlers see it: headers as strings, key as a string. */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offsets are 64-bit; kept as a decimal string like kafkajs does. */
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  /** Broker or producer timestamp, epoch milliseconds as a string. */
  readonly timestamp: string;
}

/** A record to publish. `key` decides the partition, so all records of one key stay ordered. */
export interface OutboundRecord {
  readonly topic: string;
  readonly key: string | Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The publisher port: the outbox relay (libs/event-store) and the DLQ both publish through it.
 * `publish` resolves only once every record is acknowledged by all in-sync replicas.
 */
export interface RecordPublisher {
  publish(records: readonly OutboundRecord[]): Promise<void>;
}

export type DecodeFailure = { readonly code: string; readonly reason: string };
/**
 * A decoder's verdict. Success carries the decoded event as `value`, or as `event` (the shape of
 * libs/contracts' CloudEvents decoders, which can therefore be passed as they are).
 */
export type DecodeResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: true; readonly event: T }
  | { readonly ok: false; readonly error: DecodeFailure };
/** Decodes and validates one record; a failure's `reason` must not contain personal data. */
export type RecordDecoder<T> = (record: KafkaRecord) => DecodeResult<T>;

export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (!headers) return result;
  for (const [name, raw] of Object.entries(headers)) {
    // A repeated header keeps its last value, as the Java client's `lastHeader` does.
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value === undefined) continue;
    result[name] = typeof value === 'string' ? value : value.toString('utf8');
  }
  return result;
}

export function toKafkaRecord(topic: string, partition: number, message: KafkaMessage): KafkaRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key === null ? null : message.key.toString('utf8'),
    value: message.value,
    headers: headersToStrings(message.headers),
    timestamp: message.timestamp,
  };
}

export function decodedValue<T>(result: { readonly ok: true; readonly value: T } | { readonly ok: true; readonly event: T }): T {
  return 'value' in result ? result.value : result.event;
}
