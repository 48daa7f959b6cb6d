// The parts of a Kafka record the codec reads and writes. Defined here rather than imported from kafkajs so
// contracts stay free of any client (kafkajs' KafkaMessage and Message are assignable to these).

/** A header value as kafkajs hands it over: bytes, text, repeated, or absent. */
export type KafkaHeaderValue = Buffer | string | ReadonlyArray<Buffer | string> | undefined;

export type KafkaHeadersLike = Readonly<Record<string, KafkaHeaderValue>>;

export interface KafkaRecordLike {
  readonly key?: Buffer | string | null | undefined;
  readonly value: Buffer | string | null | undefined;
  readonly headers?: KafkaHeadersLike | undefined;
}

/** What the encoders produce: ready for `producer.send({ topic, messages: [record] })`. */
export interface EncodedKafkaRecord {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

export const bytesToText = (bytes: Buffer | string): string => (typeof bytes === 'string' ? bytes : bytes.toString('utf8'));

/** Header values by lower-cased name, decoded as UTF-8; a header may repeat (kafkajs gives an array then). */
export function readHeaders(headers: KafkaHeadersLike | undefined): ReadonlyMap<string, readonly string[]> {
  const byName = new Map<string, string[]>();
  for (const [name, raw] of Object.entries(headers ?? {})) {
    // Typed callers only pass these shapes; anything else (a JavaScript caller's number, null) is not a header value.
    const values = (typeof raw === 'string' || Buffer.isBuffer(raw) ? [raw] : Array.isArray(raw) ? raw : [])
      .filter((value: unknown): value is Buffer | string => typeof value === 'string' || Buffer.isBuffer(value))
      .map(bytesToText);
    if (values.length === 0) continue;
    const key = name.toLowerCase();
    byName.set(key, [...(byName.get(key) ?? []), ...values]);
  }
  return byName;
}
