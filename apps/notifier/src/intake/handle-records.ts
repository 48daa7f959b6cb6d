import type { DunningEvent, InvoicingEvent } from '@dunning/contracts';
import type { BatchHandler, SqlClient } from '@dunning/messaging';
import { DunningAttributes as D } from '@dunning/telemetry';
import type { Channel } from '../domain';
import { DeliveryStore, deliveryIdFor, type StoredRequest } from '../deliveries/delivery-store';
import { activeTraceContext, inSpanOf } from '../telemetry';

/**
 * dunning.actions.v1 → one delivery per reminder request (action id = idempotency key). Everything
 * else on the topic (hand-offs, skipped steps, arms, closed cases) is not the notifier's business.
 * Written in the consumer's transaction, together with the consumed offset.
 */
export function handleActionRequests(store: DeliveryStore, fallbackChannels: Readonly<Record<Channel, readonly Channel[]>>, clock: () => Date): BatchHandler<DunningEvent> {
  return async (events, tx) => {
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
      await inSpanOf(traceContext, 'notifier accept reminder request', attributes, async (span) => {
        const outcome = await store.accept(tx, request, clock(), activeTraceContext());
        span.setAttribute(D.ingest.outcome, outcome);
      });
    }
  };
}

/** invoicing.invoices.v1 → the invoice standing and customer profile the send-time checks read. */
export function handleInvoiceEvents(store: DeliveryStore, clock: () => Date): BatchHandler<InvoicingEvent> {
  return async (events, tx) => {
    for (const { value: event, traceContext } of events) {
      const attributes = { [D.event.type]: event.type, [D.customer.id]: event.data.customerId, ...('invoiceId' in event.data ? { [D.invoice.id]: event.data.invoiceId } : {}) };
      await inSpanOf(traceContext, 'notifier apply invoice event', attributes, () => applyInvoiceEvent(store, tx, event, clock()));
    }
  };
}

async function applyInvoiceEvent(store: DeliveryStore, tx: SqlClient, event: InvoicingEvent, now: Date): Promise<void> {
  switch (event.type) {
    case 'invoicing.invoice.opened.v1': {
      const d = event.data;
      await store.upsertCustomer(tx, d.customerId, { customerType: d.customer.type, locale: d.customer.locale, timeZone: d.customer.timeZone, ...(d.customer.country ? { country: d.customer.country } : {}), reachableChannels: d.customer.reachableChannels }, now);
      await store.upsertInvoice(tx, { invoiceId: d.invoiceId, customerId: d.customerId, amount: d.amount, balance: d.balance, dueDate: d.dueDate, ...(d.paymentReference ? { paymentReference: d.paymentReference } : {}), ...(d.brand ? { brand: d.brand } : {}) }, now);
      break;
    }
    case 'invoicing.payment.applied.v1':
      await store.updateInvoice(tx, event.data.invoiceId, { balanceMinor: event.data.remainingBalance.minor, ...(event.data.remainingBalance.minor === 0 ? { status: 'settled' } : {}) }, now);
      break;
    case 'invoicing.invoice.settled.v1':
      await store.updateInvoice(tx, event.data.invoiceId, { status: 'settled', balanceMinor: 0 }, now);
      break;
    case 'invoicing.invoice.credited.v1':
      await store.updateInvoice(tx, event.data.invoiceId, { balanceMinor: event.data.remainingBalance.minor, ...(event.data.remainingBalance.minor === 0 ? { status: 'credited' } : {}) }, now);
      break;
    case 'invoicing.invoice.disputed.v1':
      await store.updateInvoice(tx, event.data.invoiceId, { status: 'disputed' }, now);
      break;
    case 'invoicing.invoice.dispute-resolved.v1':
      await store.updateInvoice(tx, event.data.invoiceId, { status: event.data.outcome === 'upheld' ? 'credited' : 'open' }, now);
      break;
    case 'invoicing.payment-plan.agreed.v1':
      await store.updateInvoice(tx, event.data.invoiceId, { status: 'payment-plan' }, now);
      break;
    case 'invoicing.payment-plan.broken.v1':
      await store.updateInvoice(tx, event.data.invoiceId, { status: 'open', balanceMinor: event.data.remainingBalance.minor }, now);
      break;
    case 'invoicing.invoice.handed-off.v1':
      await store.updateInvoice(tx, event.data.invoiceId, { status: 'handed-off' }, now);
      break;
    case 'invoicing.invoice.recalled.v1':
      await store.updateInvoice(tx, event.data.invoiceId, { status: 'open' }, now);
      break;
    case 'invoicing.customer.updated.v1': {
      const c = event.data.customer;
      await store.upsertCustomer(tx, event.data.customerId, { customerType: c.type, locale: c.locale, timeZone: c.timeZone, ...(c.country ? { country: c.country } : {}), reachableChannels: c.reachableChannels }, now);
      break;
    }
    default:
      break;
  }
}
