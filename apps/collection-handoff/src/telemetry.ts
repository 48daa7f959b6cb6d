import { metrics, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { DunningAttributes as D, GeneralAttributes as G } from '@dunning/telemetry';

// Spans and counters of collection-handoff. Attribute names come from the platform registry;
// values are ids and codes only (hand-off ids, agency ids, outcomes, reasons) — never debtor data.

const SCOPE = 'collection-handoff';
const tracer = trace.getTracer(SCOPE);
const meter = metrics.getMeter(SCOPE);

const checks = meter.createCounter('collection.handoff.checks', { description: 'Pre-hand-off checks by outcome and reason' });
const deliveries = meter.createCounter('collection.agency.deliveries', { description: 'Claims and recalls sent to agencies, by agency and outcome' });

export function recordCheck(outcome: string, reason: string | undefined): void {
  checks.add(1, { [D.decision.outcome]: outcome, ...(reason ? { [D.decision.reason]: reason } : {}) });
}

export function recordDelivery(agencyId: string, status: string): void {
  deliveries.add(1, { [D.handoff.agency]: agencyId, [D.handoff.status]: status });
}

/** Runs `work` in a span named `name` with the given hand-off attributes; the outcome becomes `dunning.handoff.status`. */
export async function inAgencySpan<T>(
  name: string,
  attributes: { handoffId?: string; agencyId: string },
  work: (span: Span) => Promise<T>,
  statusOf: (result: T) => string = (result) => String(result),
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes: { [D.handoff.agency]: attributes.agencyId, ...(attributes.handoffId ? { [D.handoff.id]: attributes.handoffId } : {}) } }, async (span) => {
    try {
      const outcome = await work(span);
      span.setAttribute(D.handoff.status, statusOf(outcome));
      return outcome;
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute(G.errorType, error instanceof Error ? error.name : 'unknown');
      throw error;
    } finally {
      span.end();
    }
  });
}
