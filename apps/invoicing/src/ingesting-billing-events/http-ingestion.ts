import { createHash } from 'node:crypto';
import { context } from '@opentelemetry/api';
import { billingEventRegistry, decodeBillingCloudEvent, type BillingEvent } from '@dunning/contracts';
import type { SqlClient } from '@dunning/event-store';
import type { Pool } from 'pg';
import { DeadLetters } from '../accounts/dead-letters';
import type { Origin } from '../accounts/origin';
import { withAccountTransaction } from '../accounts/transactions';
import type { Clock } from '../clock';
import type { IngestBillingEvent, IngestOutcome } from './handler';
import { inHttpIngestSpan, recordIngestion } from './telemetry';

/**
 * The HTTP side of ingestion: the same event types, validated by the same contract schemas
 * (libs/contracts) as on Kafka, then the same use case. Three ways in:
 * - `POST /billing-events`, structured mode: the whole CloudEvent as JSON
 *   (`application/cloudevents+json`, or `application/json` with `specversion` in the body);
 * - `POST /billing-events`, binary mode (CloudEvents HTTP binding): `ce-*` headers, the data as body;
 * - `POST /billing-events/{type}`: only the data; the `Idempotency-Key` header is the event id and
 *   the API key's name the source.
 * Idempotent by `Idempotency-Key` (the first response is replayed) and by CloudEvents source + id.
 */
export interface HttpRequestInput {
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
  readonly principal: string;
  /** Set for `POST /billing-events/{type}`. */
  readonly type?: string;
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly replayed?: boolean;
}

export const HTTP_SOURCE_PREFIX = 'urn:dunning:invoicing:http:';
const BINARY_HEADERS = ['specversion', 'id', 'source', 'type', 'time', 'subject', 'dataschema'] as const;

function header(headers: HttpRequestInput['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

const mediaTypeOf = (headers: HttpRequestInput['headers']): string => ((header(headers, 'content-type') ?? '').split(';')[0] ?? '').trim().toLowerCase();

class Refusal {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly reason: string,
    readonly field?: string,
    readonly event?: { id?: string; source?: string; type?: string },
  ) {}
}

function parseJson(body: unknown): unknown {
  const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : body === undefined || body === null ? '' : undefined;
  if (text === undefined) return body;
  if (text.trim() === '') throw new Refusal(400, 'empty_value', 'the request has no body; send a CloudEvent (or its data) as JSON');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Refusal(400, 'invalid_json', `the body is not valid JSON (${error instanceof SyntaxError ? error.message.replace(/[\r\n]+/g, ' ').slice(0, 120) : 'unparseable'})`);
  }
}

function envelopeOf(input: HttpRequestInput, now: Date): unknown {
  const mediaType = mediaTypeOf(input.headers);
  if (input.type !== undefined) {
    if (mediaType !== 'application/json') throw new Refusal(415, 'unsupported_content_type', `content-type must be application/json for POST /billing-events/{type}`, 'content-type');
    if (!billingEventRegistry.knownTypes.includes(input.type)) {
      throw new Refusal(404, 'unknown_type', `'${input.type.slice(0, 64)}' is not a billing event type; known: ${billingEventRegistry.knownTypes.join(', ')}`, 'type');
    }
    const idempotencyKey = header(input.headers, 'idempotency-key');
    if (!idempotencyKey) throw new Refusal(400, 'missing_idempotency_key', 'POST /billing-events/{type} needs an Idempotency-Key header: it becomes the event id', 'Idempotency-Key');
    return { specversion: '1.0', id: idempotencyKey, source: `${HTTP_SOURCE_PREFIX}${input.principal}`, type: input.type, time: now.toISOString(), data: parseJson(input.body) };
  }
  if (header(input.headers, 'ce-specversion') !== undefined) {
    if (mediaType !== 'application/json') throw new Refusal(415, 'unsupported_content_type', 'binary mode (ce-* headers) needs content-type application/json', 'content-type');
    const envelope: Record<string, unknown> = { data: parseJson(input.body) };
    for (const attribute of BINARY_HEADERS) {
      const value = header(input.headers, `ce-${attribute}`);
      if (value !== undefined) envelope[attribute] = value;
    }
    return envelope;
  }
  if (mediaType !== 'application/cloudevents+json' && mediaType !== 'application/json') {
    throw new Refusal(
      415,
      'unsupported_content_type',
      `content-type '${mediaType.slice(0, 64) || 'none'}' is not supported; send application/cloudevents+json (structured) or ce-* headers with application/json (binary)`,
      'content-type',
    );
  }
  return parseJson(input.body);
}

function fingerprint(input: HttpRequestInput): string {
  const hash = createHash('sha256');
  hash.update(input.path).update('\n').update(mediaTypeOf(input.headers)).update('\n');
  for (const attribute of BINARY_HEADERS) hash.update(header(input.headers, `ce-${attribute}`) ?? '').update('\n');
  hash.update(typeof input.body === 'string' ? input.body : JSON.stringify(input.body ?? null));
  return hash.digest('hex');
}

const STATUS_OF: Record<IngestOutcome['status'], number> = { applied: 200, unchanged: 200, duplicate: 200, held: 202, rejected: 422 };

export class HttpIngestion {
  private readonly deadLetters: DeadLetters;
  private readonly idempotency: string;

  constructor(
    private readonly pool: Pool,
    private readonly ingest: IngestBillingEvent,
    private readonly clock: Clock,
    schema: string,
    private readonly afterCommit: () => void,
  ) {
    this.deadLetters = new DeadLetters(schema);
    this.idempotency = `"${schema}".http_idempotency`;
  }

  /** One request, in its own span (see inHttpIngestSpan). */
  submit(input: HttpRequestInput): Promise<HttpAnswer> {
    return inHttpIngestSpan(input.type === undefined ? '/billing-events' : '/billing-events/{type}', () => this.submitInSpan(input));
  }

  private async submitInSpan(input: HttpRequestInput): Promise<HttpAnswer> {
    const idempotencyKey = header(input.headers, 'idempotency-key');
    const requestHash = fingerprint(input);
    if (idempotencyKey !== undefined) {
      const replay = await this.replay(input.principal, idempotencyKey, requestHash);
      if (replay) return replay;
    }
    const now = this.clock.now();
    let event: BillingEvent;
    try {
      const decoded = decodeBillingCloudEvent(envelopeOf(input, now));
      if (!decoded.ok) throw new Refusal(400, decoded.error.code, decoded.error.reason, decoded.error.field, decoded.error.event);
      event = decoded.event;
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      return this.refuse(input, error, now, idempotencyKey, requestHash);
    }
    const origin = this.originOf(input, event);
    const answer = await withAccountTransaction(this.pool, async (tx) => {
      const outcome = await this.ingest.ingest(tx, event, origin);
      const body = { ...outcome, eventId: event.id, eventSource: event.source, eventType: event.type, customerId: event.data.customerId };
      const answer: HttpAnswer = { status: STATUS_OF[outcome.status], body };
      if (idempotencyKey !== undefined) await this.remember(tx, input.principal, idempotencyKey, requestHash, answer, now);
      return answer;
    });
    this.afterCommit();
    const status = answer.body['status'] as IngestOutcome['status'];
    const ids = { invoiceId: 'invoiceId' in event.data ? event.data.invoiceId : undefined, customerId: event.data.customerId };
    recordIngestion(event.type, status, status === 'rejected' ? (answer.body['code'] as string) : undefined, context.active(), ids);
    return answer;
  }

  private originOf(input: HttpRequestInput, event: BillingEvent): Origin {
    const structured = { specversion: event.specversion, id: event.id, source: event.source, type: event.type, ...(event.time ? { time: event.time } : {}), data: event.data };
    return {
      channel: 'http',
      principal: input.principal,
      eventSource: event.source,
      eventId: event.id,
      eventType: event.type,
      customerId: event.data.customerId,
      // Kept as a structured-mode record, so that a held event from HTTP can be dead-lettered like one from Kafka.
      record: { key: event.data.customerId, value: Buffer.from(JSON.stringify(structured), 'utf8'), headers: { 'content-type': 'application/cloudevents+json' } },
    };
  }

  /**
   * Whose request a refused one was, as far as it can be told: its dead letter keeps the raw body
   * (which may hold personal data), so erasure must be able to find it by customer.
   */
  private customerOf(input: HttpRequestInput): string | undefined {
    try {
      const parsed = (typeof input.body === 'string' ? JSON.parse(input.body) : input.body) as { customerId?: unknown; data?: { customerId?: unknown } } | null;
      const candidate = input.type === undefined && header(input.headers, 'ce-specversion') === undefined ? parsed?.data?.customerId : parsed?.customerId;
      return typeof candidate === 'string' && candidate.length > 0 ? candidate.slice(0, 200) : undefined;
    } catch {
      return undefined;
    }
  }

  private async refuse(input: HttpRequestInput, refusal: Refusal, now: Date, idempotencyKey: string | undefined, requestHash: string): Promise<HttpAnswer> {
    const customerId = this.customerOf(input);
    // The refused request's ids are not put on the span: nothing in it has been validated (a type
    // the contract does not know never reaches refusal.event either).
    recordIngestion(refusal.event?.type, 'rejected', refusal.code, context.active());
    const body = { status: 'rejected', code: refusal.code, reason: refusal.reason, ...(refusal.field === undefined ? {} : { field: refusal.field }) };
    const answer: HttpAnswer = { status: refusal.status, body };
    const raw = typeof input.body === 'string' ? input.body : JSON.stringify(input.body ?? null);
    await withAccountTransaction(this.pool, async (tx) => {
      await this.deadLetters.record(tx, {
        channel: 'http',
        origin: {
          channel: 'http',
          principal: input.principal,
          ...(refusal.event?.source === undefined ? {} : { eventSource: refusal.event.source }),
          ...(refusal.event?.id === undefined ? {} : { eventId: refusal.event.id }),
          ...(refusal.event?.type === undefined ? {} : { eventType: refusal.event.type }),
          ...(customerId === undefined ? {} : { customerId }),
          record: { key: null, value: Buffer.from(raw, 'utf8'), headers: { 'content-type': mediaTypeOf(input.headers) } },
        },
        errorClass: 'DecodeError',
        code: refusal.code,
        reason: refusal.reason,
        at: now,
      });
      if (idempotencyKey !== undefined) await this.remember(tx, input.principal, idempotencyKey, requestHash, answer, now);
    });
    return answer;
  }

  private async replay(principal: string, key: string, requestHash: string): Promise<HttpAnswer | undefined> {
    const { rows } = await this.pool.query<{ request_hash: string; status_code: number; response: Record<string, unknown> }>(
      `SELECT request_hash, status_code, response FROM ${this.idempotency} WHERE principal = $1 AND idempotency_key = $2`,
      [principal, key],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.request_hash !== requestHash) {
      return { status: 422, body: { status: 'rejected', code: 'idempotency_key_reused', reason: 'this Idempotency-Key was used before for a different request', field: 'Idempotency-Key' } };
    }
    return { status: row.status_code, body: row.response, replayed: true };
  }

  private async remember(tx: SqlClient, principal: string, key: string, requestHash: string, answer: HttpAnswer, now: Date): Promise<void> {
    await tx.query(
      `INSERT INTO ${this.idempotency} (principal, idempotency_key, request_hash, status_code, response, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (principal, idempotency_key) DO NOTHING`,
      [principal, key, requestHash, answer.status, JSON.stringify(answer.body), now],
    );
  }
}
