import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { DunningAttributes, MessagingAttributes } from './attributes';
import { startTelemetry, type TelemetryHandle } from './bootstrap';
import { extractTraceContext, injectTraceContext, withConsumerBatchSpan, withConsumerSpan, withProducerSpan, withSpan, type KafkaHeaders } from './trace-context';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

/** What kafkajs hands a consumer: every header value as a Buffer. */
function asDelivered(headers: KafkaHeaders): KafkaHeaders {
  const delivered: KafkaHeaders = {};
  for (const [key, value] of Object.entries(headers)) {
    if (typeof value === 'string') delivered[key] = Buffer.from(value);
  }
  return delivered;
}

function spanNamed(spans: ReadableSpan[], name: string): ReadableSpan {
  const span = spans.find((candidate) => candidate.name === name);
  if (span === undefined) throw new Error(`no span named ${name} among ${spans.map((s) => s.name).join(', ')}`);
  return span;
}

describe('W3C trace context in Kafka headers, without the SDK started', () => {
  const remote = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED, isRemote: false });

  it('writes traceparent for a context and replaces a stale one', () => {
    const headers: KafkaHeaders = { traceparent: '00-11111111111111111111111111111111-2222222222222222-01', ce_id: 'evt-1' };

    injectTraceContext(headers, remote);

    expect(headers).toEqual({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, ce_id: 'evt-1' });
  });

  it('reads Buffer, string and array header values', () => {
    const traceparent = `00-${TRACE_ID}-${SPAN_ID}-01`;
    const stale = '00-11111111111111111111111111111111-2222222222222222-01';
    for (const headers of [{ traceparent }, { traceparent: Buffer.from(traceparent) }, { traceparent: [Buffer.from(stale), traceparent] }] as KafkaHeaders[]) {
      const spanContext = trace.getSpanContext(extractTraceContext(headers, ROOT_CONTEXT));
      expect(spanContext).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, isRemote: true });
    }
  });

  it('carries tracestate along', () => {
    const headers = injectTraceContext({}, trace.setSpanContext(ROOT_CONTEXT, {
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: TraceFlags.SAMPLED,
      traceState: extractStateFrom('vendor=abc'),
    }));
    expect(headers['tracestate']).toBe('vendor=abc');
  });

  it('yields the base context for missing or malformed headers', () => {
    expect(trace.getSpanContext(extractTraceContext(undefined, ROOT_CONTEXT))).toBeUndefined();
    expect(trace.getSpanContext(extractTraceContext({ traceparent: Buffer.from('garbage') }, ROOT_CONTEXT))).toBeUndefined();
  });
});

function extractStateFrom(tracestate: string) {
  const parsed = trace.getSpanContext(extractTraceContext({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate }, ROOT_CONTEXT));
  if (parsed?.traceState === undefined) throw new Error('tracestate was not parsed');
  return parsed.traceState;
}

describe('producer and consumer spans through headers', () => {
  let telemetry: TelemetryHandle;
  let exporter: InMemorySpanExporter;

  beforeEach(() => {
    // A fresh exporter each time: shutting telemetry down shuts its exporters down too.
    exporter = new InMemorySpanExporter();
    telemetry = startTelemetry({ serviceName: 'trace-context-test', env: {}, spanExporters: [exporter] });
  });
  afterEach(() => telemetry.shutdown());

  it('joins the consumer span to the producer trace (round trip)', async () => {
    const headers: KafkaHeaders = {};
    await withSpan('ingest billing event', {}, () =>
      withProducerSpan('send invoicing.invoices.v1', headers, { [MessagingAttributes.destinationName]: 'invoicing.invoices.v1' }, () => undefined),
    );

    // The consumer runs in another context altogether: no active span.
    const childTraceId = await context.with(ROOT_CONTEXT, () =>
      withConsumerSpan('process invoicing.invoices.v1', asDelivered(headers), { [DunningAttributes.invoice.id]: 'inv-1' }, () =>
        withSpan('decide next step', {}, (span) => span.spanContext().traceId),
      ),
    );

    await telemetry.forceFlush();
    const spans = exporter.getFinishedSpans();
    const root = spanNamed(spans, 'ingest billing event');
    const producer = spanNamed(spans, 'send invoicing.invoices.v1');
    const consumer = spanNamed(spans, 'process invoicing.invoices.v1');
    const child = spanNamed(spans, 'decide next step');
    expect(producer.spanContext().traceId).toBe(root.spanContext().traceId);
    expect(consumer.spanContext().traceId).toBe(producer.spanContext().traceId);
    expect(childTraceId).toBe(producer.spanContext().traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    expect(child.parentSpanContext?.spanId).toBe(consumer.spanContext().spanId);
    expect(headers['traceparent']).toBe(`00-${producer.spanContext().traceId}-${producer.spanContext().spanId}-01`);
    expect(producer.kind).toBe(SpanKind.PRODUCER);
    expect(consumer.kind).toBe(SpanKind.CONSUMER);
    expect(producer.attributes).toMatchObject({ 'messaging.system': 'kafka', 'messaging.operation.type': 'send', 'messaging.destination.name': 'invoicing.invoices.v1' });
    expect(consumer.attributes).toMatchObject({ 'messaging.system': 'kafka', 'messaging.operation.type': 'process', 'dunning.invoice_id': 'inv-1' });
  });

  it('starts a new trace for a message without trace context', async () => {
    await context.with(ROOT_CONTEXT, () => withConsumerSpan('process billing.events.v1', {}, {}, () => undefined));
    await telemetry.forceFlush();
    const consumer = spanNamed(exporter.getFinishedSpans(), 'process billing.events.v1');
    expect(consumer.parentSpanContext).toBeUndefined();
    expect(trace.isSpanContextValid(consumer.spanContext())).toBe(true);
  });

  it('links a batch span to each distinct producer context', async () => {
    const batch: KafkaHeaders[] = [];
    for (const id of ['a', 'b']) {
      const headers: KafkaHeaders = {};
      await context.with(ROOT_CONTEXT, () => withProducerSpan(`send ${id}`, headers, {}, () => undefined));
      batch.push(asDelivered(headers), asDelivered(headers));
    }
    batch.push({});

    await withConsumerBatchSpan('process batch', batch, {}, () => undefined);
    await telemetry.forceFlush();

    const spans = exporter.getFinishedSpans();
    const batchSpan = spanNamed(spans, 'process batch');
    expect(batchSpan.links.map((link) => link.context.spanId).sort()).toEqual(
      [spanNamed(spans, 'send a').spanContext().spanId, spanNamed(spans, 'send b').spanContext().spanId].sort(),
    );
    expect(batchSpan.attributes['messaging.batch.message_count']).toBe(5);
  });

  it('marks the span failed and rethrows', async () => {
    const failure = new TypeError('broker unavailable');
    await expect(withProducerSpan('send x', {}, {}, () => Promise.reject(failure))).rejects.toBe(failure);
    await telemetry.forceFlush();

    const producer = spanNamed(exporter.getFinishedSpans(), 'send x');
    expect(producer.status).toEqual({ code: SpanStatusCode.ERROR, message: 'broker unavailable' });
    expect(producer.attributes['error.type']).toBe('TypeError');
    expect(producer.events.map((event) => event.name)).toEqual(['exception']);
  });
});
