import { decodeRecord, invoicingEventRegistry, type InvoicingEvent } from '@dunning/contracts';
import type { BatchHandler, KafkaRecord, DecodeResult } from '@dunning/messaging';
import { injectTraceContext } from '@dunning/telemetry';
import type { Context } from '@opentelemetry/api';
import { evolveHistory, outcomeWindowEnd, overdueAt, type CustomerHistory } from '../domain';
import { loadHistories, markPaidBeforeOverdue, rewatch, saveHistories, watchInvoices, type WatchRow, type WatchTrace } from '../persistence/scoring-store';
import type { ScoringSettings } from '../scoring-settings';

export const decodeInvoicingRecord = (record: KafkaRecord): DecodeResult<InvoicingEvent> => decodeRecord(record, invoicingEventRegistry);

/**
 * Keeps each customer's history (the state features are computed from) and the overdue watch, from
 * invoicing.invoices.v1. One transaction per chunk, with the consumed offsets: a redelivered chunk
 * is skipped by the consumer, and a duplicate event inside the log changes no history (evolve is idempotent).
 */
export function createInvoiceEventsHandler(settings: Pick<ScoringSettings, 'overdueGraceDays' | 'outcomeHorizonDays'>, clock: () => Date): BatchHandler<InvoicingEvent> {
  return async (events, tx) => {
    const now = clock();
    const histories = await loadHistories(
      tx,
      events.map((e) => e.value.data.customerId),
      true,
    );
    const changed = new Map<string, CustomerHistory>();
    const watch: WatchRow[] = [];
    const settledEarly: { invoiceId: string; settledAt: string }[] = [];
    const rewatched: { invoiceId: string; reason: string; trace: WatchTrace }[] = [];
    for (const { value: event, traceContext } of events) {
      const customerId = event.data.customerId;
      const history = evolveHistory(histories.get(customerId), event);
      histories.set(customerId, history);
      changed.set(customerId, history);
      switch (event.type) {
        case 'invoicing.invoice.opened.v1': {
          const invoice = history.invoices.find((i) => i.invoiceId === event.data.invoiceId);
          if (invoice) {
            watch.push({
              invoiceId: invoice.invoiceId,
              customerId,
              overdueAt: overdueAt(history, invoice, settings.overdueGraceDays),
              windowEnd: outcomeWindowEnd(history, invoice, settings.outcomeHorizonDays),
              ...traceOf(traceContext),
            });
          }
          break;
        }
        case 'invoicing.invoice.settled.v1':
          settledEarly.push({ invoiceId: event.data.invoiceId, settledAt: event.data.settledAt });
          break;
        case 'invoicing.invoice.dispute-resolved.v1':
          if (event.data.outcome === 'rejected') rewatched.push({ invoiceId: event.data.invoiceId, reason: 'dispute rejected', trace: traceOf(traceContext) });
          break;
        case 'invoicing.payment-plan.broken.v1':
          rewatched.push({ invoiceId: event.data.invoiceId, reason: 'payment plan broken', trace: traceOf(traceContext) });
          break;
        default:
          break;
      }
    }
    await saveHistories(tx, [...changed.values()], now);
    await watchInvoices(tx, watch, now);
    for (const { invoiceId, settledAt } of settledEarly) await markPaidBeforeOverdue(tx, invoiceId, settledAt, now);
    for (const { invoiceId, reason, trace } of rewatched) await rewatch(tx, invoiceId, reason, now, trace);
  };
}

/** The record's W3C trace context (its consumer span) as the watch row keeps it. */
function traceOf(traceContext: Context): WatchTrace {
  const headers = injectTraceContext({}, traceContext);
  const traceparent = headers['traceparent'];
  const tracestate = headers['tracestate'];
  return { ...(typeof traceparent === 'string' ? { traceparent } : {}), ...(typeof tracestate === 'string' ? { tracestate } : {}) };
}
