/** A calendar date without time, YYYY-MM-DD, in the customer's time zone. */
export type LocalDate = string;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

function toUtcMidnight(date: LocalDate): number {
  const match = DATE.exec(date);
  if (!match) throw new RangeError(`not a calendar date: '${date}'`);
  const [, y, m, d] = match;
  const ms = Date.UTC(Number(y), Number(m) - 1, Number(d));
  if (new Date(ms).toISOString().slice(0, 10) !== date) throw new RangeError(`not a real calendar date: '${date}'`);
  return ms;
}

/** The calendar date an instant falls on in an IANA time zone (promise 6: instants are UTC, dates are local). */
export function localDateIn(instant: Date, timeZone: string): LocalDate {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

export function addDays(date: LocalDate, days: number): LocalDate {
  if (!Number.isInteger(days)) throw new RangeError(`days must be an integer, got ${days}`);
  return new Date(toUtcMidnight(date) + days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round((toUtcMidnight(to) - toUtcMidnight(from)) / MS_PER_DAY);
}

export const laterOf = (a: LocalDate, b: LocalDate): LocalDate => (a >= b ? a : b);
export const earlierOf = (a: LocalDate, b: LocalDate): LocalDate => (a <= b ? a : b);
