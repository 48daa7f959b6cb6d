import type { CustomerHistory, InvoiceRecord } from './customer-history';
import { disputeOpenAsOf, overdueDateOf, settledAsOf } from './features';
import { canonicalInstant, isBefore, startOfLocalDay, type Instant } from './time';

/** The instant an invoice becomes overdue: the start of the day after its due date (+ grace days) in the customer's zone. */
export function overdueAt(history: Pick<CustomerHistory, 'timeZone'>, invoice: Pick<InvoiceRecord, 'dueDate'>, graceDays: number): Instant {
  return startOfLocalDay(overdueDateOf(invoice.dueDate, graceDays), history.timeZone);
}

export type NotScorableReason = 'unknown-invoice' | 'not-overdue' | 'settled' | 'disputed' | 'payment-plan' | 'handed-off' | 'customer-terminated';

export type Scorability = { readonly scorable: true; readonly invoice: InvoiceRecord } | { readonly scorable: false; readonly reason: NotScorableReason };

/** A payment plan agreed before `at` and not broken since is being honoured. */
export function onPaymentPlanAsOf(invoice: InvoiceRecord, at: Instant): boolean {
  const agreed = invoice.plansAgreed.filter((p) => isBefore(p.at, at));
  return agreed.some((plan) => !invoice.plansBroken.some((b) => b.planId === plan.planId && isBefore(b.at, at)));
}

/**
 * Whether an invoice needs a score at `at`: it exists, is past due, still open, and nothing (a
 * dispute, a plan, a hand-off) has taken it out of dunning. `requireOverdue` is false when the
 * orchestrator asks explicitly (it may want a score before the due date).
 */
export function scorability(history: CustomerHistory, invoiceId: string, instant: Instant, graceDays: number, requireOverdue = true): Scorability {
  const at = canonicalInstant(instant);
  const invoice = history.invoices.find((candidate) => candidate.invoiceId === invoiceId && isBefore(candidate.issuedAt, at));
  if (!invoice) return { scorable: false, reason: 'unknown-invoice' };
  if (history.terminatedAt && isBefore(history.terminatedAt, at)) return { scorable: false, reason: 'customer-terminated' };
  if (settledAsOf(invoice, at)) return { scorable: false, reason: 'settled' };
  if (disputeOpenAsOf(invoice, at)) return { scorable: false, reason: 'disputed' };
  if (onPaymentPlanAsOf(invoice, at)) return { scorable: false, reason: 'payment-plan' };
  if (invoice.handoffs.some((h) => isBefore(h.at, at))) return { scorable: false, reason: 'handed-off' };
  if (requireOverdue && isBefore(at, overdueAt(history, invoice, graceDays))) return { scorable: false, reason: 'not-overdue' };
  return { scorable: true, invoice };
}
