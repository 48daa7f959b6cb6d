import type { InvoicingEvent } from '@dunning/contracts';
import { canonicalInstant as c, type Instant, type LocalDate } from './time';

// A customer's payment history as scoring keeps it: every fact carries the instant it happened, so
// features can be computed "as of" any point in time by ignoring what came later (no look-ahead).
// It is built incrementally from invoicing.invoices.v1, one event at a time, and every fact is
// keyed (payment id, credit note id, …) so a redelivered event changes nothing. Instants are stored
// in canonical UTC form, so comparing two of them is comparing strings.

export interface MoneyAmount {
  readonly minor: number;
  readonly currency: string;
}

export interface AppliedPayment {
  readonly paymentId: string;
  readonly at: Instant;
  readonly appliedMinor: number;
  readonly remainingMinor: number;
}

export interface AppliedCredit {
  readonly creditNoteId: string;
  readonly at: Instant;
  readonly creditedMinor: number;
  readonly remainingMinor: number;
}

export interface InvoiceRecord {
  readonly invoiceId: string;
  readonly issuedAt: Instant;
  readonly dueDate: LocalDate;
  readonly amount: MoneyAmount;
  readonly payments: readonly AppliedPayment[];
  readonly credits: readonly AppliedCredit[];
  readonly settled?: { readonly at: Instant; readonly by: 'payment' | 'credit' };
  readonly disputes: readonly Instant[];
  readonly disputeResolutions: readonly { readonly at: Instant; readonly outcome: 'upheld' | 'rejected' }[];
  readonly plansAgreed: readonly { readonly planId: string; readonly at: Instant }[];
  readonly plansBroken: readonly { readonly planId: string; readonly at: Instant }[];
  readonly handoffs: readonly { readonly collectionCaseId: string; readonly at: Instant }[];
  readonly recalls: readonly { readonly collectionCaseId: string; readonly at: Instant }[];
}

export interface CustomerHistory {
  readonly customerId: string;
  /** The customer's zone: calendar dates (due dates, days late, paydays) are read in it. */
  readonly timeZone: string;
  readonly customerSince?: LocalDate;
  /** When scoring first heard of the customer. */
  readonly firstSeenAt: Instant;
  readonly terminatedAt?: Instant;
  /** In order of issue. */
  readonly invoices: readonly InvoiceRecord[];
}

export function emptyHistory(customerId: string, timeZone: string, firstSeenAt: Instant): CustomerHistory {
  return { customerId, timeZone, firstSeenAt, invoices: [] };
}

function upsertInvoice(history: CustomerHistory, invoiceId: string, change: (invoice: InvoiceRecord) => InvoiceRecord): CustomerHistory {
  const index = history.invoices.findIndex((invoice) => invoice.invoiceId === invoiceId);
  // A fact about an invoice scoring never saw opened (it predates the topic's retention) teaches nothing.
  if (index < 0) return history;
  const invoices = [...history.invoices];
  invoices[index] = change(invoices[index] as InvoiceRecord);
  return { ...history, invoices };
}

const has = <T>(items: readonly T[], matches: (item: T) => boolean): boolean => items.some(matches);

/**
 * Applies one invoicing event. Pure and idempotent: applying the same event twice gives the same
 * history as applying it once. Returns the history unchanged for events that teach nothing.
 */
export function evolveHistory(history: CustomerHistory | undefined, event: InvoicingEvent): CustomerHistory {
  const start = history ?? emptyHistory(event.data.customerId, timeZoneOf(event) ?? 'UTC', c(event.time));
  switch (event.type) {
    case 'invoicing.invoice.opened.v1': {
      const { data } = event;
      const base: CustomerHistory = {
        ...start,
        timeZone: data.customer.timeZone,
        ...(data.customer.customerSince !== undefined ? { customerSince: data.customer.customerSince } : {}),
      };
      if (base.invoices.some((invoice) => invoice.invoiceId === data.invoiceId)) return base;
      const record: InvoiceRecord = {
        invoiceId: data.invoiceId,
        issuedAt: c(data.issuedAt),
        dueDate: data.dueDate,
        amount: { minor: data.amount.minor, currency: data.amount.currency },
        payments: [],
        credits: [],
        disputes: [],
        disputeResolutions: [],
        plansAgreed: [],
        plansBroken: [],
        handoffs: [],
        recalls: [],
      };
      return { ...base, invoices: [...base.invoices, record] };
    }
    case 'invoicing.payment.applied.v1': {
      const { data } = event;
      return upsertInvoice(start, data.invoiceId, (invoice) =>
        has(invoice.payments, (p) => p.paymentId === data.paymentId)
          ? invoice
          : {
              ...invoice,
              payments: [...invoice.payments, { paymentId: data.paymentId, at: c(data.receivedAt), appliedMinor: data.appliedAmount.minor, remainingMinor: data.remainingBalance.minor }],
            },
      );
    }
    case 'invoicing.invoice.settled.v1': {
      const { data } = event;
      return upsertInvoice(start, data.invoiceId, (invoice) => (invoice.settled ? invoice : { ...invoice, settled: { at: c(data.settledAt), by: data.settledBy } }));
    }
    case 'invoicing.invoice.credited.v1': {
      const { data } = event;
      return upsertInvoice(start, data.invoiceId, (invoice) =>
        has(invoice.credits, (c) => c.creditNoteId === data.creditNoteId)
          ? invoice
          : {
              ...invoice,
              credits: [...invoice.credits, { creditNoteId: data.creditNoteId, at: c(data.creditedAt), creditedMinor: data.creditedAmount.minor, remainingMinor: data.remainingBalance.minor }],
            },
      );
    }
    case 'invoicing.invoice.disputed.v1': {
      const { data } = event;
      return upsertInvoice(start, data.invoiceId, (invoice) => (invoice.disputes.includes(c(data.disputedAt)) ? invoice : { ...invoice, disputes: [...invoice.disputes, c(data.disputedAt)] }));
    }
    case 'invoicing.invoice.dispute-resolved.v1': {
      const { data } = event;
      return upsertInvoice(start, data.invoiceId, (invoice) =>
        has(invoice.disputeResolutions, (r) => r.at === c(data.resolvedAt))
          ? invoice
          : { ...invoice, disputeResolutions: [...invoice.disputeResolutions, { at: c(data.resolvedAt), outcome: data.outcome }] },
      );
    }
    case 'invoicing.payment-plan.agreed.v1': {
      const { data } = event;
      return upsertInvoice(start, data.invoiceId, (invoice) =>
        has(invoice.plansAgreed, (p) => p.planId === data.planId) ? invoice : { ...invoice, plansAgreed: [...invoice.plansAgreed, { planId: data.planId, at: c(data.agreedAt) }] },
      );
    }
    case 'invoicing.payment-plan.broken.v1': {
      const { data } = event;
      return upsertInvoice(start, data.invoiceId, (invoice) =>
        has(invoice.plansBroken, (p) => p.planId === data.planId) ? invoice : { ...invoice, plansBroken: [...invoice.plansBroken, { planId: data.planId, at: c(data.brokenAt) }] },
      );
    }
    case 'invoicing.invoice.handed-off.v1': {
      const { data } = event;
      return upsertInvoice(start, data.invoiceId, (invoice) =>
        has(invoice.handoffs, (h) => h.collectionCaseId === data.collectionCaseId)
          ? invoice
          : { ...invoice, handoffs: [...invoice.handoffs, { collectionCaseId: data.collectionCaseId, at: c(data.handedOffAt) }] },
      );
    }
    case 'invoicing.invoice.recalled.v1': {
      const { data } = event;
      return upsertInvoice(start, data.invoiceId, (invoice) =>
        has(invoice.recalls, (r) => r.collectionCaseId === data.collectionCaseId)
          ? invoice
          : { ...invoice, recalls: [...invoice.recalls, { collectionCaseId: data.collectionCaseId, at: c(data.recalledAt) }] },
      );
    }
    case 'invoicing.customer.updated.v1': {
      const { data } = event;
      return {
        ...start,
        timeZone: data.customer.timeZone,
        ...(data.customer.customerSince !== undefined ? { customerSince: data.customer.customerSince } : {}),
      };
    }
    case 'invoicing.customer.terminated.v1':
      return start.terminatedAt ? start : { ...start, terminatedAt: c(event.data.terminatedAt) };
    case 'invoicing.payment-plan.installment-missed.v1':
      // The plan's breaking (which follows) is what the features use.
      return start;
    default: {
      const unexpected: never = event;
      throw new Error(`unhandled invoicing event ${(unexpected as { type: string }).type}`);
    }
  }
}

function timeZoneOf(event: InvoicingEvent): string | undefined {
  if (event.type === 'invoicing.invoice.opened.v1' || event.type === 'invoicing.customer.updated.v1') return event.data.customer.timeZone;
  return undefined;
}

/** Folds events in order; the reference a test compares incremental updates against. */
export function historyFromEvents(events: readonly InvoicingEvent[]): Map<string, CustomerHistory> {
  const histories = new Map<string, CustomerHistory>();
  for (const event of events) histories.set(event.data.customerId, evolveHistory(histories.get(event.data.customerId), event));
  return histories;
}
