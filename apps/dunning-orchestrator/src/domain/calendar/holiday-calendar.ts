import Holidays from 'date-holidays';
import { weekdayOf, type LocalDate } from '../time/time';

/**
 * Which calendar days a country rests. The orchestrator asks two questions: may we contact a
 * customer on this day, and do banks work (paydays move to banking days)?
 */
export interface HolidayCalendar {
  /** A public holiday, or a day the country treats as one (Midsommarafton, Christmas Eve). */
  isHoliday(country: string, date: LocalDate): boolean;
  /** Monday to Friday and not a holiday. */
  isBankingDay(country: string, date: LocalDate): boolean;
  /** The holiday's name, for reasons written on skipped or moved steps. */
  holidayName(country: string, date: LocalDate): string | undefined;
}

// date-holidays types: `public` (statutory), `bank` (banks and most offices closed: Midsommarafton,
// julafton, nyårsafton; Heiligabend, Silvester), `school`, `optional`, `observance`. We rest on the
// first two: a dunning message on Midsommarafton is as unwelcome as one on Midsommardagen.
const RESTING_TYPES = new Set(['public', 'bank']);
const KNOWN_COUNTRIES: Readonly<Record<string, string>> = new Holidays().getCountries();

/** National holidays from the maintained `date-holidays` data set (regions and states are not applied). */
export class DateHolidaysCalendar implements HolidayCalendar {
  private readonly byCountryYear = new Map<string, Map<LocalDate, string>>();

  isHoliday(country: string, date: LocalDate): boolean {
    return this.holidaysOf(country, Number(date.slice(0, 4))).has(date);
  }

  isBankingDay(country: string, date: LocalDate): boolean {
    return weekdayOf(date) <= 5 && !this.isHoliday(country, date);
  }

  holidayName(country: string, date: LocalDate): string | undefined {
    return this.holidaysOf(country, Number(date.slice(0, 4))).get(date);
  }

  private holidaysOf(country: string, year: number): Map<LocalDate, string> {
    const key = `${country}:${year}`;
    const cached = this.byCountryYear.get(key);
    if (cached) return cached;
    const days = new Map<LocalDate, string>();
    // An unknown country has no holidays in the data set; weekends still apply.
    if (country in KNOWN_COUNTRIES) {
      const holidays = new Holidays(country);
      for (const holiday of holidays.getHolidays(year) || []) {
        if (!RESTING_TYPES.has(holiday.type)) continue;
        days.set(holiday.date.slice(0, 10), holiday.name);
      }
    }
    this.byCountryYear.set(key, days);
    return days;
  }
}
