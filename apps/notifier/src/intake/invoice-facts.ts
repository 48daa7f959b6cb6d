import type { InvoicingEvent } from '@dunning/contracts';
import type { CustomerFacts } from '../deliveries/delivery-store';
import type { LocalDate, Money } from '../domain';

/** What invoicing.invoice.opened.v1 says about the invoice. */
export interface OpenedInvoice {
  readonly invoiceId: string;
  readonly customerId: string;
  readonly amount: Money;
  readonly balance: Money;
  readonly dueDate: LocalDate;
  readonly paymentReference?: string;
  readonly brand?: string;
}

/** A change of an invoice's standing: absent fields stay as they are. */
export interface InvoiceChange {
  readonly status?: string;
  readonly balanceMinor?: number;
}

/** One invoice event as a write: a profile, an opened invoice (kept if the invoice is known), a change. */
export type InvoiceFactsWrite =
  | { readonly kind: 'customer'; readonly customerId: string; readonly profile: CustomerFacts }
  | { readonly kind: 'opened'; readonly invoice: OpenedInvoice; readonly profile: CustomerFacts }
  | { readonly kind: 'change'; readonly invoiceId: string; readonly change: InvoiceChange }
  | { readonly kind: 'none' };

/** The write an invoicing event asks for; events the send-time checks do not need ask for none. */
export function invoiceFactsWrite(event: InvoicingEvent): InvoiceFactsWrite {
  switch (event.type) {
    case 'invoicing.invoice.opened.v1': {
      const d = event.data;
      return {
        kind: 'opened',
        profile: { customerType: d.customer.type, locale: d.customer.locale, timeZone: d.customer.timeZone, ...(d.customer.country ? { country: d.customer.country } : {}), reachableChannels: d.customer.reachableChannels },
        invoice: { invoiceId: d.invoiceId, customerId: d.customerId, amount: d.amount, balance: d.balance, dueDate: d.dueDate, ...(d.paymentReference ? { paymentReference: d.paymentReference } : {}), ...(d.brand ? { brand: d.brand } : {}) },
      };
    }
    case 'invoicing.payment.applied.v1':
      return change(event.data.invoiceId, { balanceMinor: event.data.remainingBalance.minor, ...(event.data.remainingBalance.minor === 0 ? { status: 'settled' } : {}) });
    case 'invoicing.invoice.settled.v1':
      return change(event.data.invoiceId, { status: 'settled', balanceMinor: 0 });
    case 'invoicing.invoice.credited.v1':
      return change(event.data.invoiceId, { balanceMinor: event.data.remainingBalance.minor, ...(event.data.remainingBalance.minor === 0 ? { status: 'credited' } : {}) });
    case 'invoicing.invoice.disputed.v1':
      return change(event.data.invoiceId, { status: 'disputed' });
    case 'invoicing.invoice.dispute-resolved.v1':
      return change(event.data.invoiceId, { status: event.data.outcome === 'upheld' ? 'credited' : 'open' });
    case 'invoicing.payment-plan.agreed.v1':
      return change(event.data.invoiceId, { status: 'payment-plan' });
    case 'invoicing.payment-plan.broken.v1':
      return change(event.data.invoiceId, { status: 'open', balanceMinor: event.data.remainingBalance.minor });
    case 'invoicing.invoice.handed-off.v1':
      return change(event.data.invoiceId, { status: 'handed-off' });
    case 'invoicing.invoice.recalled.v1':
      return change(event.data.invoiceId, { status: 'open' });
    case 'invoicing.customer.updated.v1': {
      const c = event.data.customer;
      return { kind: 'customer', customerId: event.data.customerId, profile: { customerType: c.type, locale: c.locale, timeZone: c.timeZone, ...(c.country ? { country: c.country } : {}), reachableChannels: c.reachableChannels } };
    }
    default:
      return { kind: 'none' };
  }
}

const change = (invoiceId: string, c: InvoiceChange): InvoiceFactsWrite => ({ kind: 'change', invoiceId, change: c });

/** A customer's profile as the last event of a chunk left it. */
export interface CustomerUpsert {
  readonly customerId: string;
  readonly profile: CustomerFacts;
  readonly at: Date;
}

/** An invoice opened in the chunk, with the changes after it applied: what it is if it was new. */
export interface InvoiceInsert {
  readonly invoice: OpenedInvoice;
  readonly status: string;
  readonly balanceMinor: number;
  readonly at: Date;
}

/** The changes of one invoice in a chunk, the last value of each field: what they do to a known invoice. */
export interface InvoiceUpdate {
  readonly invoiceId: string;
  readonly change: InvoiceChange;
  readonly at: Date;
}

export interface FoldedWrites {
  readonly customers: readonly CustomerUpsert[];
  readonly inserts: readonly InvoiceInsert[];
  readonly updates: readonly InvoiceUpdate[];
}

/**
 * A chunk's writes, one after the other, as three sets that give the same rows when applied
 * together to the rows as they were before the chunk: profiles overwrite (the last wins); an opened
 * invoice is inserted only when unknown (the first opened wins), so it goes in with the changes
 * that followed it already applied, and those changes, folded, update it when it was known before.
 * Undefined when that does not hold: a change of an invoice before its opened event in the same chunk
 * (it applies only if the invoice was already known); the caller then writes one by one.
 */
export function foldInvoiceFacts(writes: readonly { readonly write: InvoiceFactsWrite; readonly at: Date }[]): FoldedWrites | undefined {
  const customers = new Map<string, CustomerUpsert>();
  const inserts = new Map<string, InvoiceInsert>();
  const updates = new Map<string, InvoiceUpdate>();
  for (const { write, at } of writes) {
    switch (write.kind) {
      case 'customer':
        customers.set(write.customerId, { customerId: write.customerId, profile: write.profile, at });
        break;
      case 'opened': {
        const { invoice } = write;
        customers.set(invoice.customerId, { customerId: invoice.customerId, profile: write.profile, at });
        if (inserts.has(invoice.invoiceId)) break;
        if (updates.has(invoice.invoiceId)) return undefined;
        inserts.set(invoice.invoiceId, { invoice, status: invoice.balance.minor > 0 ? 'open' : 'settled', balanceMinor: invoice.balance.minor, at });
        break;
      }
      case 'change': {
        const before = updates.get(write.invoiceId);
        updates.set(write.invoiceId, { invoiceId: write.invoiceId, change: { ...before?.change, ...write.change }, at });
        const opened = inserts.get(write.invoiceId);
        if (opened) inserts.set(write.invoiceId, { ...opened, status: write.change.status ?? opened.status, balanceMinor: write.change.balanceMinor ?? opened.balanceMinor, at });
        break;
      }
      default:
        break;
    }
  }
  return { customers: [...customers.values()], inserts: [...inserts.values()], updates: [...updates.values()] };
}
