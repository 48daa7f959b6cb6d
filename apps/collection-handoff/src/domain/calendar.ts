import type { LocalDate } from '@dunning/law';

// Calendar-date arithmetic is the law library's (one implementation for every service).
export { addDays, daysBetween, type LocalDate } from '@dunning/law';

/** The calendar date an instant falls on in an IANA time zone (promise 6: instants are UTC, dates are local). */
export function localDateIn(instant: Date, timeZone: string): LocalDate {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

export const laterOf = (a: LocalDate, b: LocalDate): LocalDate => (a >= b ? a : b);
export const earlierOf = (a: LocalDate, b: LocalDate): LocalDate => (a <= b ? a : b);
