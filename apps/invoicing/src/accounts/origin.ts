/**
 * Where an input came from: enough to dead-letter it later with its origin (a held event that
 * expires) and to trace a domain event back to the billing event that caused it.
 * Never personal data outside `record.value` (which is the original payload, as received).
 */
export interface Origin {
  readonly channel: 'kafka' | 'http';
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: string;
  /** The HTTP client's key name (never the key). */
  readonly principal?: string;
  readonly eventSource?: string;
  readonly eventId?: string;
  readonly eventType?: string;
  readonly customerId?: string;
  /** The original record (key, value, headers) to re-publish to the dead-letter topic if needed. */
  readonly record: { readonly key: string | null; readonly value: Buffer | null; readonly headers: Readonly<Record<string, string>> };
}

/** What of an origin goes into event metadata and query results: coordinates, no payload. */
export function describeOrigin(origin: Origin): Record<string, string | number> {
  const description: Record<string, string | number> = { channel: origin.channel };
  if (origin.topic !== undefined) description['topic'] = origin.topic;
  if (origin.partition !== undefined) description['partition'] = origin.partition;
  if (origin.offset !== undefined) description['offset'] = origin.offset;
  if (origin.principal !== undefined) description['principal'] = origin.principal;
  if (origin.eventSource !== undefined) description['eventSource'] = origin.eventSource;
  if (origin.eventId !== undefined) description['eventId'] = origin.eventId;
  if (origin.eventType !== undefined) description['eventType'] = origin.eventType;
  return description;
}
