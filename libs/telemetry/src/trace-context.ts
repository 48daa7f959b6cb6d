import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { GeneralAttributes, MessagingAttributes, MessagingOperationType, MessagingSystem, type TelemetryAttributes } from './attributes';

/** Structurally the same as kafkajs' `IHeaders`, so a kafkajs message's headers fit as they are. */
export type KafkaHeaderValue = Buffer | string | Array<Buffer | string> | undefined;
export type KafkaHeaders = Record<string, KafkaHeaderValue>;

export const TRACER_NAME = '@dunning/telemetry';
const TRACE_CONTEXT_HEADERS = ['traceparent', 'tracestate'] as const;
// Only W3C trace context crosses Kafka. Baggage is left out on purpose: it is free-form and could
// carry personal data into other services' headers and dead-letter topics.
const w3cTraceContext = new W3CTraceContextPropagator();

const headerSetter: TextMapSetter<KafkaHeaders> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

const headerGetter: TextMapGetter<KafkaHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => headerText(carrier[key]),
};

function headerText(value: KafkaHeaderValue): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    // A repeated header: the last one is the newest, as OpenTelemetry Java's Kafka getter reads it.
    const last = value[value.length - 1];
    return last === undefined ? undefined : headerText(last);
  }
  return typeof value === 'string' ? value : value.toString('utf8');
}

export function getTracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/**
 * Writes `traceparent` (and `tracestate` when there is one) for `ctx` into kafkajs-style headers,
 * replacing any stale values copied from a consumed message. Returns the same object.
 */
export function injectTraceContext(headers: KafkaHeaders = {}, ctx: Context = context.active()): KafkaHeaders {
  for (const name of TRACE_CONTEXT_HEADERS) delete headers[name];
  w3cTraceContext.inject(ctx, headers, headerSetter);
  return headers;
}

/** The context carried by `headers` (values may be Buffer, string or arrays of them), on top of `base`. */
export function extractTraceContext(headers: KafkaHeaders | undefined, base: Context = context.active()): Context {
  if (headers === undefined) return base;
  return w3cTraceContext.extract(base, headers, headerGetter);
}

/** The remote span context in `headers`, or undefined when they carry none (or an invalid one). */
export function remoteSpanContext(headers: KafkaHeaders | undefined): SpanContext | undefined {
  const spanContext = trace.getSpanContext(extractTraceContext(headers, context.active()));
  return spanContext !== undefined && trace.isSpanContextValid(spanContext) ? spanContext : undefined;
}

/**
 * Runs `fn` inside a PRODUCER span (child of the active context) and injects that span's context
 * into `headers` before `fn` sends them, so the consumer's span joins the same trace.
 */
export async function withProducerSpan<T>(name: string, headers: KafkaHeaders, attributes: TelemetryAttributes, fn: (span: Span) => Promise<T> | T): Promise<T> {
  const parent = context.active();
  const span = getTracer().startSpan(
    name,
    { kind: SpanKind.PRODUCER, attributes: { ...kafkaDefaults(MessagingOperationType.send), ...attributes } },
    parent,
  );
  const spanContext = trace.setSpan(parent, span);
  injectTraceContext(headers, spanContext);
  return runInSpan(span, spanContext, fn);
}

/**
 * Runs `fn` inside a CONSUMER span whose parent is the context carried by the message's headers
 * (or the active context when the message carries none).
 */
export async function withConsumerSpan<T>(name: string, headers: KafkaHeaders | undefined, attributes: TelemetryAttributes, fn: (span: Span) => Promise<T> | T): Promise<T> {
  const parent = extractTraceContext(headers, context.active());
  const span = getTracer().startSpan(
    name,
    { kind: SpanKind.CONSUMER, attributes: { ...kafkaDefaults(MessagingOperationType.process), ...attributes } },
    parent,
  );
  return runInSpan(span, trace.setSpan(parent, span), fn);
}

/**
 * For a consumer that processes a whole batch in one transaction: one CONSUMER span, child of the
 * active context, linked to the producer context of every message in the batch.
 */
export async function withConsumerBatchSpan<T>(
  name: string,
  batchHeaders: ReadonlyArray<KafkaHeaders | undefined>,
  attributes: TelemetryAttributes,
  fn: (span: Span) => Promise<T> | T,
): Promise<T> {
  const parent = context.active();
  const links = uniqueLinks(batchHeaders);
  const span = getTracer().startSpan(
    name,
    {
      kind: SpanKind.CONSUMER,
      links,
      attributes: { ...kafkaDefaults(MessagingOperationType.process), [MessagingAttributes.batchMessageCount]: batchHeaders.length, ...attributes },
    },
    parent,
  );
  return runInSpan(span, trace.setSpan(parent, span), fn);
}

/** An INTERNAL span for a unit of work that is not a Kafka send or receive. */
export async function withSpan<T>(name: string, attributes: TelemetryAttributes, fn: (span: Span) => Promise<T> | T): Promise<T> {
  const parent = context.active();
  const span = getTracer().startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent);
  return runInSpan(span, trace.setSpan(parent, span), fn);
}

function kafkaDefaults(operationType: string): TelemetryAttributes {
  return { [MessagingAttributes.system]: MessagingSystem.kafka, [MessagingAttributes.operationType]: operationType };
}

function uniqueLinks(batchHeaders: ReadonlyArray<KafkaHeaders | undefined>): Link[] {
  const links = new Map<string, Link>();
  for (const headers of batchHeaders) {
    const spanContext = remoteSpanContext(headers);
    if (spanContext !== undefined) links.set(`${spanContext.traceId}-${spanContext.spanId}`, { context: spanContext });
  }
  return [...links.values()];
}

async function runInSpan<T>(span: Span, spanContext: Context, fn: (span: Span) => Promise<T> | T): Promise<T> {
  try {
    return await context.with(spanContext, () => fn(span));
  } catch (error) {
    recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Marks `span` as failed; the attribute guard scrubs the message and stack before export. */
export function recordFailure(span: Span, error: unknown): void {
  if (error instanceof Error) {
    span.recordException(error);
    span.setAttribute(GeneralAttributes.errorType, error.name);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  } else {
    span.setAttribute(GeneralAttributes.errorType, typeof error);
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
}
