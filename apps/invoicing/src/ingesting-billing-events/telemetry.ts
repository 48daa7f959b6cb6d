import { context, metrics, SpanKind, SpanStatusCode, trace, type Context, type Counter } from '@opentelemetry/api';
import { DunningAttributes as D, DunningMetrics, GeneralAttributes as G } from '@dunning/telemetry';
import type { IngestOutcome } from './handler';

/**
 * Ingestion's telemetry, named through libs/telemetry's registry: a counter of events by type,
 * and outcome, and of rejections by code. Labels are codes, never ids or content.
 * Instruments are created on first use, after the SDK has started (main.ts starts it first).
 */
let instruments: { events: Counter; rejections: Counter } | undefined;

function counters(): { events: Counter; rejections: Counter } {
  if (!instruments) {
    const meter = metrics.getMeter('invoicing');
    instruments = {
      events: meter.createCounter(DunningMetrics.ingest.events, { description: 'Billing events ingested (Kafka and HTTP), by type and outcome', unit: '{event}' }),
      rejections: meter.createCounter(DunningMetrics.ingest.rejections, { description: 'Billing events refused, by reason code', unit: '{event}' }),
    };
  }
  return instruments;
}

/** The ids an operator searches traces by (pseudonymous billing ids, never contact data). */
export interface IngestedIds {
  readonly invoiceId?: string | undefined;
  readonly customerId?: string | undefined;
}

export function recordIngestion(eventType: string | undefined, outcome: IngestOutcome['status'], rejectionCode?: string, traceContext?: Context, ids: IngestedIds = {}): void {
  const outcomeLabel = outcome === 'rejected' ? 'rejected' : outcome === 'duplicate' ? 'duplicate' : 'accepted';
  const attributes = { [D.event.type]: eventType ?? 'unknown', [D.ingest.outcome]: outcomeLabel };
  counters().events.add(1, attributes);
  if (rejectionCode !== undefined) counters().rejections.add(1, { [D.event.type]: eventType ?? 'unknown', [D.ingest.rejectionReason]: rejectionCode });
  if (traceContext) {
    trace.getSpan(traceContext)?.setAttributes({
      [D.ingest.outcome]: outcomeLabel,
      ...(eventType ? { [D.event.type]: eventType } : {}),
      ...(rejectionCode ? { [D.ingest.rejectionReason]: rejectionCode } : {}),
      ...(ids.invoiceId ? { [D.invoice.id]: ids.invoiceId } : {}),
      ...(ids.customerId ? { [D.customer.id]: ids.customerId } : {}),
    });
  }
}

/** The span of one HTTP billing-event request (`POST /billing-events`, `POST /billing-events/{type}`). */
export const HTTP_INGEST_SPAN = 'invoicing ingest http';

/**
 * Runs one HTTP ingestion request inside its own server span, active while it runs: the outcome,
 * event type, rejection code and ids are put on it by {@link recordIngestion} (given
 * `context.active()`), and the outbox rows the request writes continue its trace. The span itself
 * names only the method, the route template and the status code; never the path's values, headers
 * or body. An unexpected error is recorded by its type only.
 */
export async function inHttpIngestSpan<T extends { readonly status: number }>(route: '/billing-events' | '/billing-events/{type}', run: () => Promise<T>): Promise<T> {
  const tracer = trace.getTracer('invoicing');
  return tracer.startActiveSpan(HTTP_INGEST_SPAN, { kind: SpanKind.SERVER, attributes: { [G.httpRequestMethod]: 'POST', [G.httpRoute]: route } }, context.active(), async (span) => {
    try {
      const answer = await run();
      span.setAttribute(G.httpResponseStatusCode, answer.status);
      return answer;
    } catch (error) {
      span.setAttributes({ [G.errorType]: error instanceof Error ? error.name : 'unknown', [G.httpResponseStatusCode]: 500 });
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
