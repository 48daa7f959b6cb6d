import type { HolidayCalendar } from './holiday-calendar';
import { addDays, dateOf, daysInMonth, yearMonthOf, type LocalDate } from '../time/time';

/**
 * When a customer is expected to have money. Either a day of the month (moved to the previous
 * banking day when it is a weekend or holiday, as Swedish salaries are) or the month's last
 * banking day (as German salaries usually are).
 */
export type PaydayRule =
  | { readonly kind: 'day-of-month'; readonly day: number; readonly source: 'learned' | 'country' }
  | { readonly kind: 'last-banking-day'; readonly source: 'learned' | 'country' };

function previousBankingDayOnOrBefore(date: LocalDate, country: string, calendar: HolidayCalendar): LocalDate {
  let candidate = date;
  while (!calendar.isBankingDay(country, candidate)) candidate = addDays(candidate, -1);
  return candidate;
}

/** The payday of one month under a rule. */
export function paydayInMonth(rule: PaydayRule, year: number, month: number, country: string, calendar: HolidayCalendar): LocalDate {
  const lastDay = daysInMonth(year, month);
  if (rule.kind === 'last-banking-day') return previousBankingDayOnOrBefore(dateOf(year, month, lastDay), country, calendar);
  return previousBankingDayOnOrBefore(dateOf(year, month, Math.min(rule.day, lastDay)), country, calendar);
}

/** The first payday on or after a date ("the first payday at least N days after the due date"). */
export function firstPaydayOnOrAfter(date: LocalDate, rule: PaydayRule, country: string, calendar: HolidayCalendar): LocalDate {
  let { year, month } = yearMonthOf(date);
  for (let i = 0; i < 3; i++) {
    const payday = paydayInMonth(rule, year, month, country, calendar);
    if (payday >= date) return payday;
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  throw new Error(`no payday found after ${date}`);
}

export interface PaydayLearningOptions {
  /** Fewer dated payments than this teach nothing. */
  readonly minPayments: number;
  /** The share of payments that must fall in the payday's cluster. */
  readonly minShare: number;
  /** People pay on payday or a few days after: the width of a cluster in days. */
  readonly clusterDays: number;
}

export const DEFAULT_PAYDAY_LEARNING: PaydayLearningOptions = { minPayments: 3, minShare: 0.6, clusterDays: 4 };

/**
 * Learns a customer's payday from the calendar dates (in their zone) on which they paid:
 * payments that cluster in the last days of a month point to the last banking day; payments
 * that cluster on a day of the month point to that day (the cluster's most frequent day). No
 * clear cluster, no rule: the caller falls back to the country's usual payday.
 */
export function learnPayday(paymentDates: readonly LocalDate[], options: PaydayLearningOptions = DEFAULT_PAYDAY_LEARNING): PaydayRule | undefined {
  if (paymentDates.length < options.minPayments) return undefined;
  const days = paymentDates.map((date) => {
    const { year, month, day } = yearMonthOf(date);
    return { day, daysBeforeMonthEnd: daysInMonth(year, month) - day };
  });
  const needed = Math.max(options.minPayments, Math.ceil(options.minShare * days.length));

  const endOfMonth = days.filter((d) => d.daysBeforeMonthEnd < options.clusterDays - 1).length;

  let bestStart = 0;
  let bestSupport = 0;
  for (let start = 1; start <= 31; start++) {
    const support = days.filter((d) => d.day >= start && d.day < start + options.clusterDays).length;
    if (support > bestSupport) {
      bestSupport = support;
      bestStart = start;
    }
  }
  if (endOfMonth >= needed && endOfMonth >= bestSupport) return { kind: 'last-banking-day', source: 'learned' };
  if (bestSupport < needed) return undefined;

  const counts = new Map<number, number>();
  for (const d of days) {
    if (d.day >= bestStart && d.day < bestStart + options.clusterDays) counts.set(d.day, (counts.get(d.day) ?? 0) + 1);
  }
  const [mode] = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0] ?? [bestStart];
  return { kind: 'day-of-month', day: mode, source: 'learned' };
}
