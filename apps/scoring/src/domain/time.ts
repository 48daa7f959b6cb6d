import { DateTime } from 'luxon';

/** An instant as an ISO 8601 string in UTC, e.g. `2026-03-02T08:00:00.000Z` (promise 6). */
export type Instant = string;
/** A calendar date without time, `YYYY-MM-DD`, read in the customer's time zone. */
export type LocalDate = string;

export const DAY_MS = 86_400_000;

export function toMillis(instant: Instant): number {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new Error(`not an instant: ${instant}`);
  return ms;
}

export function instantFromMillis(ms: number): Instant {
  return new Date(ms).toISOString();
}

/** Strictly earlier: a snapshot "as of t" sees only facts whose instant is before t. */
export function isBefore(a: Instant, b: Instant): boolean {
  return toMillis(a) < toMillis(b);
}

/** Whole days from `from` to `to` (calendar dates), negative when `to` is earlier. */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The canonical form of an instant: UTC with milliseconds, `YYYY-MM-DDTHH:mm:ss.sssZ`. Histories store
 * instants in this form, so "before" is a string comparison on the scoring path.
 */
export function canonicalInstant(instant: Instant): Instant {
  return instantFromMillis(toMillis(instant));
}

const QUARTER_HOUR_MS = 900_000;
const MAX_CACHED = 200_000;

interface ZoneDates {
  readonly format: Intl.DateTimeFormat;
  /** Local date per UTC quarter hour (offsets are whole quarter hours, so a quarter hour never straddles midnight). */
  readonly byQuarterHour: Map<number, LocalDate>;
  /** Local date per instant string: histories reuse the same strings, whose hashes V8 keeps. */
  readonly byInstant: Map<string, LocalDate>;
}

const zones = new Map<string, ZoneDates>();

function zoneDatesOf(timeZone: string): ZoneDates {
  let zone = zones.get(timeZone);
  if (!zone) {
    let format: Intl.DateTimeFormat;
    try {
      // en-CA formats a date as YYYY-MM-DD.
      format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch {
      throw new Error(`unknown time zone ${timeZone}`);
    }
    zone = { format, byQuarterHour: new Map(), byInstant: new Map() };
    zones.set(timeZone, zone);
  }
  return zone;
}

/** The calendar date an instant falls on in a time zone; cached, because scoring asks it dozens of times per score. */
export function localDateOf(instant: Instant, timeZone: string): LocalDate {
  const zone = zoneDatesOf(timeZone);
  const known = zone.byInstant.get(instant);
  if (known !== undefined) return known;
  const quarter = Math.floor(toMillis(instant) / QUARTER_HOUR_MS);
  let date = zone.byQuarterHour.get(quarter);
  if (date === undefined) {
    date = zone.format.format(quarter * QUARTER_HOUR_MS);
    if (zone.byQuarterHour.size >= MAX_CACHED) zone.byQuarterHour.clear();
    zone.byQuarterHour.set(quarter, date);
  }
  if (zone.byInstant.size >= MAX_CACHED) zone.byInstant.clear();
  zone.byInstant.set(instant, date);
  return date;
}

/** The first instant of a calendar date in a time zone (midnight, or the first existing minute on a DST day). */
export function startOfLocalDay(date: LocalDate, timeZone: string): Instant {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const value = DateTime.fromObject({ year, month, day }, { zone: timeZone });
  if (!value.isValid) throw new Error(`invalid date ${date} in ${timeZone}`);
  return instantFromMillis(value.toMillis());
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function dayOfMonth(date: LocalDate): number {
  return Number(date.slice(8, 10));
}

/** Whole months between two dates (how long someone has been a customer). */
export function monthsBetween(from: LocalDate, to: LocalDate): number {
  const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = to.split('-').map(Number) as [number, number, number];
  let months = (ty - fy) * 12 + (tm - fm);
  if (td < fd) months -= 1;
  return months;
}

/** The same date `months` months earlier (clamped to the month's last day). */
export function minusMonths(date: LocalDate, months: number): LocalDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) - months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const day = Math.min(d, daysInMonth(year, month));
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
