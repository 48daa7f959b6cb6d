import type { CustomerHistory, InvoiceRecord } from './customer-history';
import { disputeOpenAsOf, settledAsOf } from './features';
import { onPaymentPlanAsOf, overdueAt } from './overdue';
import { addDays, isBefore, startOfLocalDay, type Instant } from './time';

// Outcomes (labels) of overdue invoices. An outcome is read only once its window has closed before
// the training cutoff, so a row is never labelled "did not pay" just because its time is not up yet.

export interface OutcomeOptions {
  /** Days after the overdue instant scoring scores at (0: the day after the due date). */
  readonly overdueGraceDays: number;
  /** "Paid without collection within N days of the due date." */
  readonly horizonDays: number;
}

export const DEFAULT_OUTCOME_OPTIONS: OutcomeOptions = { overdueGraceDays: 0, horizonDays: 60 };

export type ExclusionReason = 'not-issued' | 'paid-before-overdue' | 'not-in-dunning-at-overdue' | 'window-open' | 'credited' | 'dispute-upheld';

export type Outcome =
  | {
      readonly observed: true;
      /** When the features are taken: the invoice became overdue then. */
      readonly overdueAt: Instant;
      readonly windowEnd: Instant;
      /** 1: paid (by payment) before the window closed and before any hand-off to collection. */
      readonly paidWithoutCollection: 0 | 1;
      /** 1: paid at all before the window closed (after a hand-off too): the outcome uplift is learned on. */
      readonly paid: 0 | 1;
    }
  | { readonly observed: false; readonly reason: ExclusionReason };

export function outcomeWindowEnd(history: Pick<CustomerHistory, 'timeZone'>, invoice: Pick<InvoiceRecord, 'dueDate'>, horizonDays: number): Instant {
  return startOfLocalDay(addDays(invoice.dueDate, 1 + horizonDays), history.timeZone);
}

/** The outcome of one invoice as known at `cutoff`. */
export function outcomeOf(history: CustomerHistory, invoice: InvoiceRecord, cutoff: Instant, options: OutcomeOptions = DEFAULT_OUTCOME_OPTIONS): Outcome {
  const overdue = overdueAt(history, invoice, options.overdueGraceDays);
  const windowEnd = outcomeWindowEnd(history, invoice, options.horizonDays);
  if (!isBefore(invoice.issuedAt, overdue)) return { observed: false, reason: 'not-issued' };
  if (settledAsOf(invoice, overdue)) return { observed: false, reason: 'paid-before-overdue' };
  if (disputeOpenAsOf(invoice, overdue) || onPaymentPlanAsOf(invoice, overdue) || invoice.handoffs.some((h) => isBefore(h.at, overdue))) {
    return { observed: false, reason: 'not-in-dunning-at-overdue' };
  }
  if (isBefore(cutoff, windowEnd)) return { observed: false, reason: 'window-open' };
  const settled = settledAsOf(invoice, windowEnd);
  if (settled?.by === 'credit') return { observed: false, reason: 'credited' };
  if (invoice.disputeResolutions.some((r) => r.outcome === 'upheld' && isBefore(r.at, windowEnd))) return { observed: false, reason: 'dispute-upheld' };
  const paid = settled?.by === 'payment' ? 1 : 0;
  const handedOffBeforePaying = invoice.handoffs.some((h) => isBefore(h.at, windowEnd) && (!settled || isBefore(h.at, settled.at)));
  return { observed: true, overdueAt: overdue, windowEnd, paid, paidWithoutCollection: paid === 1 && !handedOffBeforePaying ? 1 : 0 };
}
