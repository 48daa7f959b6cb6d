import { metrics, trace, type Context, type Counter } from '@opentelemetry/api';
import { DunningAttributes as D, DunningMetrics } from '@dunning/telemetry';
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
