import type { CustomerHistory, InvoiceRecord } from './customer-history';
import { addDays, canonicalInstant, daysBetween, daysInMonth, dayOfMonth, localDateOf, minusMonths, monthsBetween, type Instant, type LocalDate } from './time';

// Payment-history features of one invoice's customer, computed AS OF an instant t: only facts whose
// instant is strictly before t are read, so a snapshot taken at an invoice's due date cannot see its
// outcome, and training never sees the future. Protected attributes (sex, age, marital status) are not
// in the history at all, so no feature can be one.

export const FEATURE_NAMES = [
  'invoice-count',
  'late-count-6m',
  'late-count-12m',
  'days-late-last-invoice',
  'max-days-late',
  'first-time-late',
  'partial-payment-count',
  'dispute-count',
  'tenure-months',
  'amount-ratio',
  'usual-payday',
  'days-to-payday',
  'open-overdue-count',
  'handoff-count',
  'broken-plan-count',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];
/** NaN means "unknown" (no earlier invoice, no payday learned): the models handle it as missing. */
export type FeatureValues = Readonly<Record<FeatureName, number>>;

export interface FeatureSnapshot {
  readonly customerId: string;
  readonly invoiceId: string;
  readonly asOf: Instant;
  readonly values: FeatureValues;
}

export interface FeatureOptions {
  /** Days after the due date a payment still counts as on time (the orchestrator's history rule uses 3). */
  readonly lateGraceDays: number;
  /** Judged earlier invoices needed before a history counts as clean. */
  readonly cleanHistoryMinInvoices: number;
  /** Payments needed, and the share of them that must cluster, before a payday is learned. */
  readonly paydayMinPayments: number;
  readonly paydayMinShare: number;
  /** People pay on payday or a few days after it: the width of a payday cluster, in days. */
  readonly paydayClusterDays: number;
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = {
  lateGraceDays: 3,
  cleanHistoryMinInvoices: 3,
  paydayMinPayments: 3,
  paydayMinShare: 0.5,
  paydayClusterDays: 3,
};

/** How late an invoice was (or is), judged with what was known before `asOf`; undefined while it cannot be judged yet. */
export interface Lateness {
  readonly daysLate: number;
  readonly late: boolean;
}

/** Both instants canonical (histories store them so, and featuresAsOf canonicalizes `asOf`): a string comparison. */
const before = (at: Instant, asOf: Instant): boolean => at < asOf;

// The *AsOf helpers compare instants as strings: pass canonical instants (canonicalInstant).

export function settledAsOf(invoice: InvoiceRecord, asOf: Instant): InvoiceRecord['settled'] | undefined {
  return invoice.settled && before(invoice.settled.at, asOf) ? invoice.settled : undefined;
}

function disputeUpheldAsOf(invoice: InvoiceRecord, asOf: Instant): boolean {
  return invoice.disputeResolutions.some((r) => r.outcome === 'upheld' && before(r.at, asOf));
}

/** Disputed and not yet resolved at `asOf`. */
export function disputeOpenAsOf(invoice: InvoiceRecord, asOf: Instant): boolean {
  const disputes = invoice.disputes.filter((at) => before(at, asOf)).length;
  const resolutions = invoice.disputeResolutions.filter((r) => before(r.at, asOf)).length;
  return disputes > resolutions;
}

export function latenessAsOf(invoice: InvoiceRecord, asOf: Instant, timeZone: string, graceDays: number): Lateness | undefined {
  if (disputeUpheldAsOf(invoice, asOf)) return undefined;
  const settled = settledAsOf(invoice, asOf);
  if (settled) {
    // A credit note that zeroes an invoice says the bill was wrong, not that the customer paid late.
    if (settled.by === 'credit') return undefined;
    const daysLate = Math.max(0, daysBetween(invoice.dueDate, localDateOf(settled.at, timeZone)));
    return { daysLate, late: daysLate > graceDays };
  }
  const daysLate = daysBetween(invoice.dueDate, localDateOf(asOf, timeZone));
  return daysLate > graceDays ? { daysLate, late: true } : undefined;
}

/**
 * The customer's usual payday (day of month) learned from the local dates they paid on: the
 * window of `clusterDays` + 1 days holding most payments, if it holds at least `minShare` of them;
 * the payday is the earliest day paid on in that window (people pay on payday or soon after).
 */
export function learnUsualPayday(paymentDates: readonly LocalDate[], options: Pick<FeatureOptions, 'paydayMinPayments' | 'paydayMinShare' | 'paydayClusterDays'> = DEFAULT_FEATURE_OPTIONS): number | undefined {
  if (paymentDates.length < options.paydayMinPayments) return undefined;
  const days = paymentDates.map(dayOfMonth);
  let best: { count: number; start: number } | undefined;
  for (let start = 1; start <= 31; start++) {
    const count = days.filter((day) => day >= start && day <= start + options.paydayClusterDays).length;
    if (!best || count > best.count) best = { count, start };
  }
  if (!best || best.count / days.length < options.paydayMinShare) return undefined;
  const { start } = best;
  return Math.min(...days.filter((day) => day >= start && day <= start + options.paydayClusterDays));
}

/** Days from `date` to the next payday on or after it (a payday past the month's end falls on its last day). */
export function daysToNextPayday(date: LocalDate, payday: number): number {
  const [year, month] = date.split('-').map(Number) as [number, number];
  for (let step = 0; step < 2; step++) {
    const y = month + step > 12 ? year + 1 : year;
    const m = ((month - 1 + step) % 12) + 1;
    const day = Math.min(payday, daysInMonth(y, m));
    const candidate = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    if (candidate >= date) return daysBetween(date, candidate);
  }
  throw new Error(`no payday after ${date}`);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export class UnknownInvoiceError extends Error {
  constructor(readonly invoiceId: string, readonly asOf: Instant) {
    super(`invoice ${invoiceId} was not issued before ${asOf}`);
    this.name = 'UnknownInvoiceError';
  }
}

/**
 * The features of `invoiceId` as of `asOf`. Reads only facts with an instant before `asOf`; the
 * subject invoice itself counts only for its amount, its partial payments and disputes so far.
 */
export function featuresAsOf(history: CustomerHistory, invoiceId: string, at: Instant, options: FeatureOptions = DEFAULT_FEATURE_OPTIONS): FeatureSnapshot {
  const asOf = canonicalInstant(at);
  const known = history.invoices.filter((invoice) => before(invoice.issuedAt, asOf));
  const subject = known.find((invoice) => invoice.invoiceId === invoiceId);
  if (!subject) throw new UnknownInvoiceError(invoiceId, asOf);
  const { timeZone } = history;
  const today = localDateOf(asOf, timeZone);
  const others = known.filter((invoice) => invoice !== subject);

  const judged = others
    .map((invoice) => ({ invoice, lateness: latenessAsOf(invoice, asOf, timeZone, options.lateGraceDays) }))
    .filter((entry): entry is { invoice: InvoiceRecord; lateness: Lateness } => entry.lateness !== undefined);
  const lateSince = (from: LocalDate): number => judged.filter(({ invoice, lateness }) => lateness.late && invoice.dueDate >= from).length;
  const previous = judged.filter(({ invoice }) => invoice.dueDate <= subject.dueDate).sort((a, b) => (a.invoice.dueDate < b.invoice.dueDate ? -1 : a.invoice.dueDate > b.invoice.dueDate ? 1 : 0));
  const last = previous[previous.length - 1];
  const everLate = judged.some(({ lateness }) => lateness.late);

  const partialPayments = known.filter((invoice) => invoice.payments.some((p) => before(p.at, asOf) && p.remainingMinor > 0)).length;
  const disputes = known.reduce((count, invoice) => count + invoice.disputes.filter((at) => before(at, asOf)).length, 0);
  const handoffs = others.reduce((count, invoice) => count + invoice.handoffs.filter((h) => before(h.at, asOf)).length, 0);
  const brokenPlans = known.reduce((count, invoice) => count + invoice.plansBroken.filter((p) => before(p.at, asOf)).length, 0);

  const firstInvoiceDate = known.reduce<LocalDate | undefined>((first, invoice) => {
    const issued = localDateOf(invoice.issuedAt, timeZone);
    return first === undefined || issued < first ? issued : first;
  }, undefined);
  const since = history.customerSince !== undefined && (firstInvoiceDate === undefined || history.customerSince < firstInvoiceDate) ? history.customerSince : firstInvoiceDate;
  const tenureMonths = since === undefined ? 0 : Math.max(0, monthsBetween(since, today));

  const sameCurrencyAmounts = others.filter((invoice) => invoice.amount.currency === subject.amount.currency).map((invoice) => invoice.amount.minor);
  const amountRatio = sameCurrencyAmounts.length === 0 ? Number.NaN : subject.amount.minor / Math.max(1, median(sameCurrencyAmounts));

  const paymentDates = known.flatMap((invoice) => invoice.payments.filter((p) => before(p.at, asOf)).map((p) => localDateOf(p.at, timeZone)));
  const payday = learnUsualPayday(paymentDates, options);

  const openOverdue = others.filter(
    (invoice) => !settledAsOf(invoice, asOf) && !disputeOpenAsOf(invoice, asOf) && invoice.dueDate < today && !invoice.handoffs.some((h) => before(h.at, asOf)),
  ).length;

  const values: FeatureValues = {
    'invoice-count': others.length,
    'late-count-6m': lateSince(minusMonths(today, 6)),
    'late-count-12m': lateSince(minusMonths(today, 12)),
    'days-late-last-invoice': last ? last.lateness.daysLate : Number.NaN,
    'max-days-late': judged.length === 0 ? Number.NaN : Math.max(...judged.map(({ lateness }) => lateness.daysLate)),
    'first-time-late': judged.length >= options.cleanHistoryMinInvoices && !everLate ? 1 : 0,
    'partial-payment-count': partialPayments,
    'dispute-count': disputes,
    'tenure-months': tenureMonths,
    'amount-ratio': amountRatio,
    'usual-payday': payday ?? Number.NaN,
    'days-to-payday': payday === undefined ? Number.NaN : daysToNextPayday(today, payday),
    'open-overdue-count': openOverdue,
    'handoff-count': handoffs,
    'broken-plan-count': brokenPlans,
  };
  return { customerId: history.customerId, invoiceId, asOf, values };
}

/** The values in a model's feature order; a feature the snapshot lacks is missing (NaN). */
export function featureVector(values: FeatureValues, featureNames: readonly string[]): Float64Array {
  const row = new Float64Array(featureNames.length);
  featureNames.forEach((name, i) => {
    const value = (values as Readonly<Record<string, number>>)[name];
    row[i] = value === undefined ? Number.NaN : value;
  });
  return row;
}

/** The first instant an invoice counts as overdue: the start of the day after its due date (+ grace) in the customer's zone. */
export function overdueDateOf(dueDate: LocalDate, graceDays: number): LocalDate {
  return addDays(dueDate, 1 + graceDays);
}
