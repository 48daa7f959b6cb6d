import type { PaymentMatch } from './events';
import { isOpen, type InvoiceState } from './invoice';
import type { Money } from './money';

/**
 * Where a payment goes, decided over the customer's invoices (the contract's rule):
 * 1. the invoice it names;
 * 2. else the invoice carrying its payment reference (the oldest open one, else the oldest);
 * 3. else the customer's oldest open invoice in the payment's currency;
 * 4. else, with no invoice at all yet, it waits (the invoice may still be on its way);
 * 5. else it becomes customer credit.
 * A payment naming an invoice not seen yet waits for it too. Currency is checked here only to
 * pick among open invoices; the decision rejects a mismatch with the chosen invoice.
 */
export interface PaymentToMatch {
  readonly amount: Money;
  readonly invoiceId?: string;
  readonly paymentReference?: string;
}

export type PaymentDestination =
  | { readonly kind: 'invoice'; readonly invoiceId: string; readonly matchedBy: Exclude<PaymentMatch, 'no-open-invoice'> }
  | { readonly kind: 'hold'; readonly why: 'invoice-not-yet-seen' | 'customer-has-no-invoices' }
  | { readonly kind: 'customer-credit' }
  | { readonly kind: 'only-other-currencies-open'; readonly currencies: readonly string[] };

/** Oldest first: issue instant, then due date, then id, so that the choice never depends on arrival order. */
export function byAge(a: InvoiceState, b: InvoiceState): number {
  return Date.parse(a.issuedAt) - Date.parse(b.issuedAt) || a.dueDate.localeCompare(b.dueDate) || a.invoiceId.localeCompare(b.invoiceId);
}

export function matchPayment(payment: PaymentToMatch, invoices: readonly InvoiceState[]): PaymentDestination {
  if (payment.invoiceId !== undefined) {
    return invoices.some((invoice) => invoice.invoiceId === payment.invoiceId)
      ? { kind: 'invoice', invoiceId: payment.invoiceId, matchedBy: 'invoice-id' }
      : { kind: 'hold', why: 'invoice-not-yet-seen' };
  }
  const sorted = [...invoices].sort(byAge);
  if (payment.paymentReference !== undefined) {
    const referenced = sorted.filter((invoice) => invoice.paymentReference === payment.paymentReference);
    const chosen = referenced.find(isOpen) ?? referenced[0];
    if (chosen) return { kind: 'invoice', invoiceId: chosen.invoiceId, matchedBy: 'payment-reference' };
  }
  const open = sorted.filter(isOpen);
  const oldestInCurrency = open.find((invoice) => invoice.amount.currency === payment.amount.currency);
  if (oldestInCurrency) return { kind: 'invoice', invoiceId: oldestInCurrency.invoiceId, matchedBy: 'oldest-open-invoice' };
  if (open.length > 0) return { kind: 'only-other-currencies-open', currencies: [...new Set(open.map((invoice) => invoice.amount.currency))] };
  if (invoices.length === 0) return { kind: 'hold', why: 'customer-has-no-invoices' };
  return { kind: 'customer-credit' };
}
