import { addDays, monthsBetween, type LocalDate } from '../time/time';
import type { HistoryClass, Policy } from './policy-schema';

/** What the orchestrator knows about a customer's earlier invoices (no personal data). */
export interface PaymentHistory {
  readonly customerSince?: LocalDate;
  /** Earlier invoices of the customer: when they were due and, if settled, the local date they were. */
  readonly invoices: readonly { readonly invoiceId: string; readonly dueDate: LocalDate; readonly settledOn?: LocalDate }[];
  /** Local dates on which the customer paid anything: teaches their payday. */
  readonly paymentDates: readonly LocalDate[];
}

export const EMPTY_HISTORY: PaymentHistory = { invoices: [], paymentDates: [] };

export interface HistoryClassification {
  readonly historyClass: HistoryClass;
  readonly tenureMonths?: number;
  readonly lateInLookback: number;
  readonly invoicesInLookback: number;
  readonly reason: string;
}

/**
 * First time late after years of paying, or habitually late? Counts the earlier invoices due in
 * the look-back that were settled after the grace period or are still open past it.
 */
export function classifyHistory(history: PaymentHistory, today: LocalDate, excludeInvoiceId: string, rules: Policy['segmentation']['history']): HistoryClassification {
  const earlier = history.invoices.filter((invoice) => invoice.invoiceId !== excludeInvoiceId && invoice.dueDate < today);
  const firstKnown = history.customerSince ?? earlier.map((invoice) => invoice.dueDate).sort()[0];
  const tenureMonths = firstKnown ? Math.max(0, monthsBetween(firstKnown, today)) : undefined;
  const inLookback = earlier.filter((invoice) => monthsBetween(invoice.dueDate, today) < rules.lookbackMonths);
  const late = inLookback.filter((invoice) => {
    const lastOnTimeDay = addDays(invoice.dueDate, rules.graceDays);
    return invoice.settledOn ? invoice.settledOn > lastOnTimeDay : today > lastOnTimeDay;
  }).length;
  const base = { lateInLookback: late, invoicesInLookback: inLookback.length, ...(tenureMonths !== undefined ? { tenureMonths } : {}) };
  if (tenureMonths === undefined || tenureMonths < rules.newCustomerMonths) {
    return { ...base, historyClass: 'new-customer', reason: `tenure ${tenureMonths ?? 'unknown'} months < ${rules.newCustomerMonths}` };
  }
  if (late >= rules.habituallyLateFrom) {
    return { ...base, historyClass: 'habitually-late', reason: `${late} late invoices in ${rules.lookbackMonths} months` };
  }
  if (late === 0 && tenureMonths >= rules.firstTimeLateMinTenureMonths) {
    return { ...base, historyClass: 'first-time-late', reason: `no late invoice in ${rules.lookbackMonths} months, customer for ${tenureMonths} months` };
  }
  return { ...base, historyClass: 'occasionally-late', reason: `${late} late invoices in ${rules.lookbackMonths} months` };
}
