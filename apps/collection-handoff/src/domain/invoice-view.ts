import type { InvoicingEvent } from '@dunning/contracts';
import type { LocalDate } from './calendar';
import type { Money } from '@dunning/law';

/**
 * collection-handoff's own view of an invoice, folded from invoicing.invoices.v1. It holds only
 * what the pre-hand-off check, the recall triggers and the agency payload need; no personal data.
 */
export interface InvoiceView {
  readonly invoiceId: string;
  readonly customerId: string;
  readonly issuedAt: string;
  readonly dueDate: LocalDate;
  readonly amount: Money;
  /** What is left to pay now. */
  readonly balance: Money;
  readonly status: 'open' | 'settled';
  readonly settledBy?: 'payment' | 'credit' | undefined;
  /** The last change that lowered the balance, to tell a payment from a credit. */
  readonly lastReduction?: { readonly kind: 'payment' | 'credit'; readonly at: string } | undefined;
  readonly dispute: 'none' | 'open' | 'upheld';
  /** honoured: a plan is running with no installment missed. */
  readonly paymentPlan: 'none' | 'honoured' | 'missed';
  readonly customer: CustomerFacts;
  readonly brand?: string | undefined;
  readonly paymentReference?: string | undefined;
  /** Set by the hand-off transaction: the case that holds this invoice at an agency (one at a time). */
  readonly activeCaseId?: string | undefined;
}

export interface CustomerFacts {
  readonly type: 'consumer' | 'business';
  readonly country?: string | undefined;
  readonly locale: string;
  readonly timeZone: string;
}

/** Why a change to an invoice after hand-off means the agency must give it back. */
export type RecallReason = 'paid' | 'credited' | 'disputed' | 'payment-plan';

type InvoiceEvent = Exclude<InvoicingEvent, { type: 'invoicing.customer.updated.v1' | 'invoicing.customer.terminated.v1' }>;
export type CustomerEvent = Extract<InvoicingEvent, { type: 'invoicing.customer.updated.v1' | 'invoicing.customer.terminated.v1' }>;

export function isCustomerEvent(event: InvoicingEvent): event is CustomerEvent {
  return event.type === 'invoicing.customer.updated.v1' || event.type === 'invoicing.customer.terminated.v1';
}

export interface InvoiceChange {
  readonly view: InvoiceView | undefined;
  /** Set when this change, had the invoice been handed off, must recall it. */
  readonly recallTrigger?: RecallReason | undefined;
}

/**
 * Folds one invoicing event into the view. Pure and total: an event for an invoice the view has
 * not seen opened (it cannot be, keyed by customer on one partition, but a replay may start late)
 * leaves the view undefined rather than inventing one.
 */
export function evolveInvoiceView(view: InvoiceView | undefined, event: InvoiceEvent): InvoiceChange {
  if (event.type === 'invoicing.invoice.opened.v1') {
    if (view) return { view }; // a duplicate delivery: the first one holds
    const d = event.data;
    return {
      view: {
        invoiceId: d.invoiceId,
        customerId: d.customerId,
        issuedAt: d.issuedAt,
        dueDate: d.dueDate,
        amount: d.amount,
        balance: d.balance,
        status: d.balance.minor === 0 ? 'settled' : 'open',
        settledBy: d.balance.minor === 0 ? 'credit' : undefined,
        dispute: 'none',
        paymentPlan: 'none',
        customer: { type: d.customer.type, country: d.customer.country, locale: d.customer.locale, timeZone: d.customer.timeZone },
        brand: d.brand,
        paymentReference: d.paymentReference,
      },
    };
  }
  if (!view) return { view };
  switch (event.type) {
    case 'invoicing.payment.applied.v1':
      return {
        view: {
          ...view,
          balance: event.data.remainingBalance,
          status: event.data.remainingBalance.minor === 0 ? 'settled' : view.status,
          settledBy: event.data.remainingBalance.minor === 0 ? 'payment' : view.settledBy,
          lastReduction: { kind: 'payment', at: event.data.receivedAt },
        },
        recallTrigger: 'paid',
      };
    case 'invoicing.invoice.settled.v1':
      return {
        view: { ...view, balance: { minor: 0, currency: view.balance.currency }, status: 'settled', settledBy: event.data.settledBy },
        recallTrigger: event.data.settledBy === 'payment' ? 'paid' : 'credited',
      };
    case 'invoicing.invoice.credited.v1':
      return {
        view: {
          ...view,
          balance: event.data.remainingBalance,
          status: event.data.remainingBalance.minor === 0 ? 'settled' : view.status,
          settledBy: event.data.remainingBalance.minor === 0 ? 'credit' : view.settledBy,
          lastReduction: { kind: 'credit', at: event.data.creditedAt },
        },
        recallTrigger: 'credited',
      };
    case 'invoicing.invoice.disputed.v1':
      return { view: { ...view, dispute: 'open' }, recallTrigger: 'disputed' };
    case 'invoicing.invoice.dispute-resolved.v1':
      return { view: { ...view, dispute: event.data.outcome === 'upheld' ? 'upheld' : 'none' } };
    case 'invoicing.payment-plan.agreed.v1':
      return { view: { ...view, paymentPlan: 'honoured' }, recallTrigger: 'payment-plan' };
    case 'invoicing.payment-plan.installment-missed.v1':
      return { view: { ...view, paymentPlan: 'missed' } };
    case 'invoicing.payment-plan.broken.v1':
      return { view: { ...view, paymentPlan: 'none', balance: event.data.remainingBalance } };
    case 'invoicing.invoice.handed-off.v1':
    case 'invoicing.invoice.recalled.v1':
      // invoicing's echo of our own decisions: our case table is the truth about them.
      return { view };
    default:
      return assertNever(event);
  }
}

/** A customer's profile changed: every open invoice of theirs takes the new facts. */
export function withCustomerProfile(view: InvoiceView, customer: CustomerFacts): InvoiceView {
  return { ...view, customer };
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
