import { DateTime } from 'luxon';

// Days are integers: the number of days since 1970-01-01 (an "epoch day"). A day is a calendar date
// in the customer's own time zone; instants are made from it only when an event needs one.

export type EpochDay = number;

const MS_PER_DAY = 86_400_000;

export function epochDayOf(isoDate: string): EpochDay {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match) throw new Error(`expected a date as YYYY-MM-DD, got '${isoDate}'`);
  const [, y, m, d] = match;
  const day = epochDayFromParts(Number(y), Number(m), Number(d));
  if (isoDateOf(day) !== isoDate) throw new Error(`'${isoDate}' is not a real calendar date`);
  return day;
}

export function epochDayFromParts(year: number, month: number, dayOfMonth: number): EpochDay {
  return Math.round(Date.UTC(year, month - 1, dayOfMonth) / MS_PER_DAY);
}

export function isoDateOf(day: EpochDay): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export interface DateParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export function partsOf(day: EpochDay): DateParts {
  const date = new Date(day * MS_PER_DAY);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function weekdayOf(day: EpochDay): number {
  // 1970-01-01 was a Thursday (4).
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The given day of the month, or the month's last day if the month is shorter. */
export function dayInMonth(year: number, month: number, dayOfMonth: number): EpochDay {
  return epochDayFromParts(year, month, Math.min(dayOfMonth, daysInMonth(year, month)));
}

export function addMonths(parts: { year: number; month: number }, months: number): { year: number; month: number } {
  const index = parts.year * 12 + (parts.month - 1) + months;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

const isWeekend = (day: EpochDay): boolean => weekdayOf(day) >= 6;

/** The day itself, or the banking day before it (weekends only: the customer model ignores holidays). */
export function bankingDayOnOrBefore(day: EpochDay): EpochDay {
  let result = day;
  while (isWeekend(result)) result -= 1;
  return result;
}

export type PaydayRule =
  /** A fixed day of the month, moved back to a banking day (Sweden: the 25th). */
  | { readonly kind: 'day-of-month'; readonly day: number }
  /** The month's last banking day (common in Germany). */
  | { readonly kind: 'last-banking-day' };

export function paydayIn(rule: PaydayRule, year: number, month: number): EpochDay {
  switch (rule.kind) {
    case 'day-of-month':
      return bankingDayOnOrBefore(dayInMonth(year, month, rule.day));
    case 'last-banking-day':
      return bankingDayOnOrBefore(dayInMonth(year, month, 31));
    default: {
      const unknown: never = rule;
      throw new Error(`unknown payday rule ${JSON.stringify(unknown)}`);
    }
  }
}

/** The most recent payday on or before `day`. */
export function lastPaydayOnOrBefore(rule: PaydayRule, day: EpochDay): EpochDay {
  const parts = partsOf(day);
  const thisMonth = paydayIn(rule, parts.year, parts.month);
  if (thisMonth <= day) return thisMonth;
  const previous = addMonths(parts, -1);
  return paydayIn(rule, previous.year, previous.month);
}

/** The first payday on or after `day`. */
export function firstPaydayOnOrAfter(rule: PaydayRule, day: EpochDay): EpochDay {
  const parts = partsOf(day);
  const thisMonth = paydayIn(rule, parts.year, parts.month);
  if (thisMonth >= day) return thisMonth;
  const next = addMonths(parts, 1);
  return paydayIn(rule, next.year, next.month);
}

const offsetCache = new Map<string, number>();

/** The UTC offset of a zone on a day, in minutes, taken at local noon (our events happen between 06 and 23). */
function offsetMinutes(day: EpochDay, timeZone: string): number {
  const key = `${timeZone}|${day}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    const { year, month, day: dayOfMonth } = partsOf(day);
    const local = DateTime.fromObject({ year, month, day: dayOfMonth, hour: 12 }, { zone: timeZone });
    if (!local.isValid) throw new Error(`unknown time zone '${timeZone}'`);
    offset = local.offset;
    if (offsetCache.size > 50_000) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return offset;
}

/** An instant (ISO 8601, UTC, seconds) for a local time of day on a calendar day in a zone. */
export function instantAt(day: EpochDay, minuteOfDay: number, timeZone: string): string {
  const utcMs = day * MS_PER_DAY + (minuteOfDay - offsetMinutes(day, timeZone)) * 60_000;
  return `${new Date(utcMs).toISOString().slice(0, 19)}Z`;
}

/** The first instant of a local day (00:00 in the zone), as epoch milliseconds. */
export function startOfLocalDayMs(day: EpochDay, timeZone: string): number {
  return day * MS_PER_DAY - offsetMinutes(day, timeZone) * 60_000;
}

/** The local calendar day of an instant in a zone. */
export function localDayOf(instant: string | Date, timeZone: string): EpochDay {
  const dt = DateTime.fromJSDate(typeof instant === 'string' ? new Date(instant) : instant, { zone: timeZone });
  return epochDayFromParts(dt.year, dt.month, dt.day);
}
