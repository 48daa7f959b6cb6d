import { DateTime } from 'luxon';

/** An instant as an ISO 8601 string in UTC with milliseconds, e.g. `2026-03-02T08:00:00.000Z` (promise 6). */
export type Instant = string;
/** A calendar date without time, `YYYY-MM-DD`, read in the customer's time zone. */
export type LocalDate = string;

const MS_PER_DAY = 86_400_000;

export function instantFromMillis(ms: number): Instant {
  return new Date(ms).toISOString();
}

export function toMillis(instant: Instant): number {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new Error(`not an instant: ${instant}`);
  return ms;
}

/** Normalises any ISO 8601 instant (with offset) to the canonical UTC form used in state and events. */
export function normaliseInstant(iso: string): Instant {
  return instantFromMillis(toMillis(iso));
}

export function addMillis(instant: Instant, ms: number): Instant {
  return instantFromMillis(toMillis(instant) + ms);
}

export function addDaysToInstant(instant: Instant, days: number): Instant {
  return addMillis(instant, days * MS_PER_DAY);
}

export function isBefore(a: Instant, b: Instant): boolean {
  return toMillis(a) < toMillis(b);
}

export function maxInstant(...instants: Instant[]): Instant {
  return instantFromMillis(Math.max(...instants.map(toMillis)));
}

export function minInstant(...instants: Instant[]): Instant {
  return instantFromMillis(Math.min(...instants.map(toMillis)));
}

/** Whole days from `from` to `to` (calendar dates), negative when `to` is earlier. */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / MS_PER_DAY);
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The calendar date an instant falls on in a time zone. */
export function localDateOf(instant: Instant, timeZone: string): LocalDate {
  return zoned(instant, timeZone).toISODate() as LocalDate;
}

/** The first instant of a calendar date in a time zone (midnight, or the first existing minute on a DST day). */
export function startOfLocalDay(date: LocalDate, timeZone: string): Instant {
  return toInstant(localDateTime(date, 0, 0, timeZone));
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a calendar date. */
export function weekdayOf(date: LocalDate): number {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function dateOf(year: number, month: number, day: number): LocalDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function yearMonthOf(date: LocalDate): { year: number; month: number; day: number } {
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)) };
}

/** Whole months between two dates (how long someone has been a customer). */
export function monthsBetween(from: LocalDate, to: LocalDate): number {
  const a = yearMonthOf(from);
  const b = yearMonthOf(to);
  let months = (b.year - a.year) * 12 + (b.month - a.month);
  if (b.day < a.day) months -= 1;
  return months;
}

/** A wall-clock time on a date in a zone; a time inside a DST gap moves forward by the gap. */
export function localDateTime(date: LocalDate, hour: number, minute: number, timeZone: string): DateTime {
  const { year, month, day } = yearMonthOf(date);
  const value = DateTime.fromObject({ year, month, day, hour, minute }, { zone: timeZone });
  if (!value.isValid) throw new Error(`invalid local time ${date} ${hour}:${minute} in ${timeZone}: ${value.invalidExplanation ?? ''}`);
  return value;
}

export function zoned(instant: Instant, timeZone: string): DateTime {
  const value = DateTime.fromMillis(toMillis(instant), { zone: timeZone });
  if (!value.isValid) throw new Error(`unknown time zone ${timeZone}`);
  return value;
}

export function toInstant(value: DateTime): Instant {
  return instantFromMillis(value.toMillis());
}

export const DAY_MS = MS_PER_DAY;
