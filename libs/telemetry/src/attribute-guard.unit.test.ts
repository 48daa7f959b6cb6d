import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { DunningAttributes, DunningMetrics, GeneralAttributes, MessagingAttributes } from './attributes';
import { createMetricLabelGuard, guardAttributes } from './attribute-guard';
import { getMeter, startTelemetry, type TelemetryHandle } from './bootstrap';
import { getTracer, recordFailure } from './trace-context';

const CANARY_NAME = 'Astrid Canarysson';
const CANARY_EMAIL = 'astrid.canary@example.se';
const CANARY_PHONE = '+46701234567';
const CANARY_STREET = 'Kanarievägen 7';

function expectNoCanary(value: unknown): void {
  const text = JSON.stringify(value);
  for (const canary of [CANARY_NAME, CANARY_EMAIL, CANARY_PHONE, CANARY_STREET]) expect(text).not.toContain(canary);
}

/** A pull reader that collects on demand, for looking at what a metric exporter would receive. */
class CollectingReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

describe('guardAttributes', () => {
  it('drops unregistered keys and scrubs contact data from registered ones', () => {
    const guarded = guardAttributes({
      [DunningAttributes.invoice.id]: 'inv-1',
      [DunningAttributes.customer.id]: 'cus-42',
      [DunningAttributes.decision.reason]: `bounced: ${CANARY_EMAIL}`,
      [MessagingAttributes.batchMessageCount]: 3,
      'customer.name': CANARY_NAME,
      'customer.email': CANARY_EMAIL,
      'dunning.customer_phone': CANARY_PHONE,
      address: CANARY_STREET,
    });

    expect(guarded).toEqual({
      'dunning.invoice_id': 'inv-1',
      'dunning.customer_id': 'cus-42',
      'dunning.decision.reason': 'bounced: [email]',
      'messaging.batch.message_count': 3,
    });
  });

  it("keeps libs/messaging's consumer mode on consumer spans", () => {
    // libs/messaging names it with its own literal; the registry must know the same key.
    expect(guardAttributes({ 'messaging.consumer.mode': 'replay' })).toEqual({ [MessagingAttributes.consumerMode]: 'replay' });
  });

  it('scrubs string array values element by element', () => {
    expect(guardAttributes({ [DunningAttributes.event.type]: ['billing.invoice.issued', CANARY_PHONE] })).toEqual({
      'dunning.event.type': ['billing.invoice.issued', '[phone]'],
    });
  });
});

describe('the guard in front of every exporter', () => {
  let telemetry: TelemetryHandle;
  let exporter: InMemorySpanExporter;

  beforeEach(() => {
    exporter = new InMemorySpanExporter();
    telemetry = startTelemetry({ serviceName: 'guard-test', env: {}, spanExporters: [exporter] });
  });
  afterEach(() => telemetry.shutdown());

  async function onlySpan(): Promise<ReadableSpan> {
    await telemetry.forceFlush();
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    return spans[0]!;
  }

  it('exports spans without canary name, e-mail, phone or address anywhere', async () => {
    const linked = trace.setSpanContext(ROOT_CONTEXT, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED });
    const span = getTracer().startSpan('send reminder', {
      attributes: { [DunningAttributes.action.channel]: 'sms', 'customer.name': CANARY_NAME },
      links: [{ context: trace.getSpanContext(linked)!, attributes: { [DunningAttributes.case.id]: 'case-1', 'recipient.email': CANARY_EMAIL } }],
    });
    span.setAttribute('customer.postalAddress', CANARY_STREET);
    span.setAttribute(DunningAttributes.delivery.status, `failed for ${CANARY_PHONE}`);
    span.addEvent('provider answered', { [DunningAttributes.delivery.provider]: 'kannel', body: `Hi ${CANARY_NAME}` });
    recordFailure(span, new Error(`SMS to ${CANARY_PHONE} and mail to ${CANARY_EMAIL} rejected`));
    span.end();

    const exported = await onlySpan();
    expectNoCanary({ attributes: exported.attributes, events: exported.events, links: exported.links.map((l) => l.attributes), status: exported.status });
    expect(exported.attributes).toEqual({
      'dunning.action.channel': 'sms',
      'dunning.delivery.status': 'failed for [phone]',
      'error.type': 'Error',
    });
    expect(exported.events[0]?.attributes).toEqual({ 'dunning.delivery.provider': 'kannel' });
    expect(exported.events[1]?.attributes?.[GeneralAttributes.exceptionMessage]).toBe('SMS to [phone] and mail to [email] rejected');
    expect(exported.links[0]?.attributes).toEqual({ 'dunning.case_id': 'case-1' });
    expect(exported.status.message).toBe('SMS to [phone] and mail to [email] rejected');
    expect(exported.droppedAttributesCount).toBe(2);
    expect(exported.resource.attributes['service.name']).toBe('guard-test');
  });
});

describe('metric labels', () => {
  it('keeps low-cardinality registered labels and drops ids, unregistered keys and contact data', async () => {
    const reader = new CollectingReader();
    const telemetry = startTelemetry({ serviceName: 'metric-guard-test', env: {}, metricReaders: [reader] });
    try {
      getMeter()
        .createCounter(DunningMetrics.deliveries)
        .add(1, {
          [DunningAttributes.action.channel]: 'email',
          [DunningAttributes.delivery.status]: CANARY_EMAIL,
          [DunningAttributes.invoice.id]: 'inv-1',
          'customer.email': CANARY_EMAIL,
        });

      const { resourceMetrics } = await reader.collect();
      const metric = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === DunningMetrics.deliveries);
      expect(metric?.dataPoints.map((point) => point.attributes)).toEqual([{ 'dunning.action.channel': 'email' }]);
      expectNoCanary(resourceMetrics.scopeMetrics);
    } finally {
      await telemetry.shutdown();
    }
  });

  it('is the same rule as a standalone attributes processor', () => {
    expect(createMetricLabelGuard().process({ [DunningAttributes.experiment.arm]: 'no-action', [DunningAttributes.customer.id]: 'cus-42' })).toEqual({
      'dunning.experiment.arm': 'no-action',
    });
  });
});
