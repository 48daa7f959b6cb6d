import type { CalendarDate, Instant } from './events';

const DAY_MS = 24 * 60 * 60 * 1000;

function parseDate(date: CalendarDate): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new Error(`not a calendar date: ${date}`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return new Date(parseDate(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * True once `date` is over in every time zone on Earth (the last to end it is UTC−12, at 12:00 UTC
 * the next day). A due date is a calendar date in the customer's zone; this judges it missed
 * without needing the zone, which is personal data that may have been erased.
 */
export function dateIsOverEverywhere(date: CalendarDate, now: Instant): boolean {
  return Date.parse(now) >= parseDate(date) + DAY_MS + 12 * 60 * 60 * 1000;
}

/**
 * The earliest calendar date the instant can be anywhere on Earth (UTC−12). A due date before
 * this is before the issue date in every time zone: impossible.
 */
export function earliestLocalDate(at: Instant): CalendarDate {
  return new Date(Date.parse(at) - 12 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

export const instantMs = (at: Instant): number => Date.parse(at);

export const addMs = (at: Instant, ms: number): Instant => new Date(Date.parse(at) + ms).toISOString();
