import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { DunningAttributes as D, GeneralAttributes as G, startTelemetry, type TelemetryHandle } from '@dunning/telemetry';
import { ProviderError, type MessageProvider, type OutboundMessage } from './channels/provider';
import { activeTraceContext, inSpanOf, TracedProvider } from './telemetry';

// The notifier's span helpers, with an in-memory exporter behind the platform's attribute guard.

const CANARY_NAME = 'Kanarie Fågelsångare';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const STORED = { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` };

const message: OutboundMessage = {
  deliveryId: 'dlv_1',
  channel: 'letter',
  brand: 'Telco',
  recipient: { name: CANARY_NAME, postalAddress: { lines: ['Kanariegränd 7 B'], city: 'Fjäderby' } },
  content: { templateId: 'reminder', language: 'sv', channel: 'letter', subject: `Hej ${CANARY_NAME}`, text: CANARY_NAME, html: CANARY_NAME, sms: CANARY_NAME },
};

function provider(send: MessageProvider['send']): MessageProvider {
  return { name: 'letter-drop', channel: 'letter', send, reconcile: async () => ({ kind: 'not-accepted' }) };
}

describe('notifier spans', () => {
  let telemetry: TelemetryHandle;
  let exporter: InMemorySpanExporter;
  const finished = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((span) => span.name === name);

  beforeAll(() => {
    exporter = new InMemorySpanExporter();
    telemetry = startTelemetry({ serviceName: 'notifier-test', env: {}, spanExporters: [exporter] });
  });
  afterAll(() => telemetry.shutdown());
  beforeEach(() => exporter.reset());

  it('a provider call: ids, channel, template and the outcome, in the stored trace', async () => {
    await inSpanOf(STORED, 'notifier dispatch', {}, () => new TracedProvider(provider(async () => ({ provider: 'letter-drop', providerRef: 'dlv_1.json' }))).send(message));
    const [send] = finished('notifier send letter-drop');
    expect(send?.attributes).toEqual({
      [D.delivery.provider]: 'letter-drop',
      [D.delivery.channel]: 'letter',
      [D.delivery.id]: 'dlv_1',
      [D.delivery.template]: 'reminder',
      [D.delivery.status]: 'accepted',
    });
    expect(send?.spanContext().traceId).toBe(TRACE_ID);
    expect(send?.parentSpanContext?.spanId).toBe(finished('notifier dispatch')[0]?.spanContext().spanId);
  });

  it("a refused message: the provider's code, never its message (a gateway may quote whom it refused)", async () => {
    const refusing = new TracedProvider(provider(async () => {
      throw new ProviderError('permanent', 'kannel-400', `Kannel refused the message to ${CANARY_NAME}`);
    }));
    await expect(refusing.send(message)).rejects.toMatchObject({ code: 'kannel-400' });
    const [send] = finished('notifier send letter-drop');
    expect(send?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'kannel-400' });
    expect(send?.attributes).toMatchObject({ [G.errorType]: 'provider-permanent', [D.delivery.reason]: 'kannel-400' });
    expect(send?.events).toEqual([]);
    expect(JSON.stringify({ attributes: send?.attributes, status: send?.status })).not.toContain(CANARY_NAME);
  });

  it('an unexpected error: its type only', async () => {
    const broken = new TracedProvider(provider(async () => {
      throw new TypeError(`cannot read ${CANARY_NAME}`);
    }));
    await expect(broken.send(message)).rejects.toBeInstanceOf(TypeError);
    const [send] = finished('notifier send letter-drop');
    expect(send?.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(send?.attributes[G.errorType]).toBe('TypeError');
    expect(send?.events).toEqual([]);
  });

  it('a reconciliation: the verdict', async () => {
    await new TracedProvider(provider(async () => ({ provider: 'x', providerRef: 'y' }))).reconcile({ deliveryId: 'dlv_1', startedAt: new Date(0) }, new Date(1));
    expect(finished('notifier reconcile letter-drop')[0]?.attributes[D.delivery.reconcileVerdict]).toBe('not-accepted');
  });

  it('the active trace context round-trips through what a delivery stores', async () => {
    expect(activeTraceContext()).toBeUndefined();
    const stored = await inSpanOf(STORED, 'notifier accept reminder request', {}, () => activeTraceContext());
    expect(stored?.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
    await inSpanOf(stored, 'notifier dispatch', {}, () => undefined);
    const [accept] = finished('notifier accept reminder request');
    const [dispatch] = finished('notifier dispatch');
    expect(dispatch?.spanContext().traceId).toBe(TRACE_ID);
    expect(dispatch?.parentSpanContext?.spanId).toBe(accept?.spanContext().spanId);
  });
});
