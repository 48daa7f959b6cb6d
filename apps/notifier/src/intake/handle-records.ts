import type { DunningEvent, InvoicingEvent } from '@dunning/contracts';
import type { BatchHandler, SqlClient } from '@dunning/messaging';
import { DunningAttributes as D } from '@dunning/telemetry';
import type { Channel } from '../domain';
import { DeliveryStore, deliveryIdFor, type StoredRequest } from '../deliveries/delivery-store';
import { foldInvoiceFacts, invoiceFactsWrite, type InvoiceFactsWrite } from './invoice-facts';
import { activeTraceContext, inSpanOf, type StoredTraceContext } from '../telemetry';

/**
 * dunning.actions.v1 → one delivery per reminder request (action id = idempotency key). Everything
 * else on the topic (hand-offs, skipped steps, arms, closed cases) is not the notifier's business.
 * Written in the consumer's transaction, together with the consumed offset.
 */
export function handleActionRequests(store: DeliveryStore, fallbackChannels: Readonly<Record<Channel, readonly Channel[]>>, clock: () => Date): BatchHandler<DunningEvent> {
  return async (events, tx) => {
    // The chunk's requests are stored in one statement; each keeps its span, open until that
    // statement answered whether it was stored (accepted) or known already (duplicate).
    const stored = deferred<ReadonlySet<string>>();
    const requests: { request: StoredRequest; at: Date; traceContext: StoredTraceContext | undefined }[] = [];
    const ready: Promise<void>[] = [];
    const spans: Promise<void>[] = [];
    const seen = new Set<string>();
    for (const { value: event, traceContext } of events) {
      if (event.type !== 'dunning.reminder.requested.v1') continue;
      const data = event.data;
      const request: StoredRequest = {
        actionId: data.actionId,
        caseId: data.caseId,
        invoiceId: data.invoiceId,
        customerId: data.customerId,
        requestedAt: data.requestedAt,
        channel: data.channel,
        // The policy step's fallbacks travel with the request; a request from before they did gets
        // the notifier's configured ones.
        fallbackChannels: data.fallbackChannels ?? fallbackChannels[data.channel],
        templateId: data.templateId,
        locale: data.locale,
        ...(data.fee ? { fee: data.fee } : {}),
        ...(data.businessCompensation ? { businessCompensation: data.businessCompensation } : {}),
        ...(data.interest ? { interest: data.interest } : {}),
        ...(data.payBy ? { payBy: data.payBy } : {}),
        ...(data.sendWindow ? { sendWindow: data.sendWindow } : {}),
      };
      // A child of the record's consumer span (which continues the orchestrator's trace); its context
      // is stored with the delivery, so the dispatch later joins the same trace.
      const attributes = {
        [D.action.id]: data.actionId,
        [D.delivery.id]: deliveryIdFor(data.actionId),
        [D.invoice.id]: data.invoiceId,
        [D.customer.id]: data.customerId,
        [D.case.id]: data.caseId,
        [D.action.channel]: data.channel,
        [D.delivery.template]: data.templateId,
      };
      const first = !seen.has(data.actionId);
      seen.add(data.actionId);
      const collected = deferred<void>();
      ready.push(collected.promise);
      spans.push(
        inSpanOf(traceContext, 'notifier accept reminder request', attributes, async (span) => {
          requests.push({ request, at: clock(), traceContext: activeTraceContext() });
          collected.resolve();
          const accepted = await stored.promise;
          span.setAttribute(D.ingest.outcome, first && accepted.has(data.actionId) ? 'accepted' : 'duplicate');
        }),
      );
    }
    await Promise.all(ready);
    try {
      stored.resolve(await store.acceptMany(tx, requests));
    } catch (error) {
      stored.reject(error);
    }
    await Promise.all(spans);
  };
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** invoicing.invoices.v1 → the invoice standing and customer profile the send-time checks read. */
export function handleInvoiceEvents(store: DeliveryStore, clock: () => Date): BatchHandler<InvoicingEvent> {
  return async (events, tx) => {
    const writes = events.map(({ value: event }) => ({ write: invoiceFactsWrite(event), at: clock() }));
    const folded = foldInvoiceFacts(writes);
    const attributesOf = (event: InvoicingEvent) => ({ [D.event.type]: event.type, [D.customer.id]: event.data.customerId, ...('invoiceId' in event.data ? { [D.invoice.id]: event.data.invoiceId } : {}) });
    if (!folded) {
      // A change before its invoice's opened event in this chunk: the writes go one by one, in order.
      for (const [index, { value: event, traceContext }] of events.entries()) {
        const write = writes[index];
        if (write) await inSpanOf(traceContext, 'notifier apply invoice event', attributesOf(event), () => applyInvoiceWrite(store, tx, write.write, write.at));
      }
      return;
    }
    // One statement for the chunk; each event keeps its span (the chunk's write follows them).
    for (const { value: event, traceContext } of events) await inSpanOf(traceContext, 'notifier apply invoice event', attributesOf(event), () => undefined);
    await store.applyInvoiceFacts(tx, folded);
  };
}

async function applyInvoiceWrite(store: DeliveryStore, tx: SqlClient, write: InvoiceFactsWrite, now: Date): Promise<void> {
  switch (write.kind) {
    case 'opened':
      await store.upsertCustomer(tx, write.invoice.customerId, write.profile, now);
      await store.upsertInvoice(tx, write.invoice, now);
      break;
    case 'customer':
      await store.upsertCustomer(tx, write.customerId, write.profile, now);
      break;
    case 'change':
      await store.updateInvoice(tx, write.invoiceId, write.change, now);
      break;
    default:
      break;
  }
}
