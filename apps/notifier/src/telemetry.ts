import { context, SpanStatusCode, type Context, type Span } from '@opentelemetry/api';
import { DunningAttributes as D, extractTraceContext, GeneralAttributes as G, injectTraceContext, withSpan, type TelemetryAttributes } from '@dunning/telemetry';
import { ProviderError, type AttemptInFlight, type MessageProvider, type OutboundMessage, type ReconcileVerdict, type SendReceipt } from './channels/provider';

// The notifier's spans. Attribute names come from the platform registry (libs/telemetry) and values
// are ids, channels, states and codes only: the recipient (name, e-mail address, phone number,
// postal address) and the rendered text never go near a span.

/** W3C trace context of the request that created a delivery, kept with it so later work joins that trace. */
export interface StoredTraceContext {
  readonly traceparent: string;
  readonly tracestate?: string;
}

/** The active trace context, as it would travel in headers; undefined when no span is recording one. */
export function activeTraceContext(): StoredTraceContext | undefined {
  const headers = injectTraceContext({});
  const traceparent = headers['traceparent'];
  if (typeof traceparent !== 'string') return undefined;
  const tracestate = headers['tracestate'];
  return { traceparent, ...(typeof tracestate === 'string' && tracestate.length > 0 ? { tracestate } : {}) };
}

/**
 * Runs `fn` in an INTERNAL span whose parent is `parent` (a consumed record's span, or the request's
 * stored trace context): a dispatch minutes or days after the request still belongs to its trace,
 * and the outbox rows written inside carry it on to notifier.deliveries.v1.
 */
export async function inSpanOf<T>(parent: Context | StoredTraceContext | null | undefined, name: string, attributes: TelemetryAttributes, fn: (span: Span) => Promise<T> | T): Promise<T> {
  const base = context.active();
  const parentContext = parent === null || parent === undefined ? base : isStored(parent) ? extractTraceContext({ ...parent }, base) : parent;
  return context.with(parentContext, () => withSpan(name, attributes, fn));
}

function isStored(parent: Context | StoredTraceContext): parent is StoredTraceContext {
  return typeof (parent as Partial<StoredTraceContext>).traceparent === 'string';
}

/**
 * A provider behind spans: `notifier send <provider>` and `notifier reconcile <provider>`. A
 * provider's error message is not put on the span (a gateway's answer may echo the number or the
 * address it refused); its code is, as `dunning.delivery.reason`.
 */
export class TracedProvider implements MessageProvider {
  readonly name: string;
  readonly channel: MessageProvider['channel'];

  constructor(private readonly inner: MessageProvider) {
    this.name = inner.name;
    this.channel = inner.channel;
  }

  async send(message: OutboundMessage): Promise<SendReceipt> {
    const attributes = { ...this.identity(), [D.delivery.id]: message.deliveryId, [D.delivery.template]: message.content.templateId };
    // The failure is marked here and rethrown after the span ended, so that withSpan does not record
    // the error's message and stack on the span.
    const outcome = await withSpan(`notifier send ${this.name}`, attributes, async (span): Promise<{ ok: true; receipt: SendReceipt } | { ok: false; error: unknown }> => {
      try {
        const receipt = await this.inner.send(message);
        span.setAttribute(D.delivery.status, 'accepted');
        return { ok: true, receipt };
      } catch (error) {
        markProviderFailure(span, error);
        return { ok: false, error };
      }
    });
    if (!outcome.ok) throw outcome.error;
    return outcome.receipt;
  }

  reconcile(attempt: AttemptInFlight, now: Date): Promise<ReconcileVerdict> {
    return withSpan(`notifier reconcile ${this.name}`, { ...this.identity(), [D.delivery.id]: attempt.deliveryId }, async (span) => {
      const verdict = await this.inner.reconcile(attempt, now);
      span.setAttribute(D.delivery.reconcileVerdict, verdict.kind);
      return verdict;
    });
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }

  private identity(): TelemetryAttributes {
    return { [D.delivery.provider]: this.name, [D.delivery.channel]: this.channel };
  }
}

function markProviderFailure(span: Span, error: unknown): void {
  if (error instanceof ProviderError) {
    span.setAttributes({ [G.errorType]: `provider-${error.kind}`, [D.delivery.reason]: error.code });
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.code });
    return;
  }
  // Anything else (a bug, a library's own error) is marked by type only: a library's message may
  // quote the recipient.
  span.setAttribute(G.errorType, error instanceof Error ? error.name : typeof error);
  span.setStatus({ code: SpanStatusCode.ERROR });
}
