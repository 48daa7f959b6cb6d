import type { HolidayCalendar } from './holiday-calendar';
import { addDays, localDateOf, localDateTime, toInstant, toMillis, weekdayOf, type Instant, type LocalDate } from '../time/time';

/** A daily span of local wall-clock time, `from` inclusive, `to` exclusive, as `HH:MM`. */
export interface DailyWindow {
  readonly from: string;
  readonly to: string;
}

/** When a customer may be contacted, in their own time zone. `null` means not at all that day. */
export interface ContactWindows {
  readonly weekdays: DailyWindow | null;
  readonly saturday: DailyWindow | null;
  readonly sunday: DailyWindow | null;
}

export interface CustomerWhereabouts {
  readonly timeZone: string;
  readonly country: string;
}

/** Days looked ahead before giving up: long enough for any run of holidays, short enough to terminate. */
const SEARCH_HORIZON_DAYS = 60;

function parseClock(value: string): { hour: number; minute: number } {
  const match = /^(\d{2}):(\d{2})$/.exec(value);
  if (!match) throw new Error(`not a wall-clock time HH:MM: ${value}`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

function windowFor(windows: ContactWindows, date: LocalDate): DailyWindow | null {
  const weekday = weekdayOf(date);
  if (weekday === 7) return windows.sunday;
  if (weekday === 6) return windows.saturday;
  return windows.weekdays;
}

/**
 * The earliest instant at or after `from` at which the customer may be contacted: inside the
 * day's window in their time zone, and never on a holiday of their country.
 */
export function nextContactInstant(
  from: Instant,
  where: CustomerWhereabouts,
  windows: ContactWindows,
  calendar: HolidayCalendar,
): Instant {
  const fromMs = toMillis(from);
  const firstDate = localDateOf(from, where.timeZone);
  for (let offset = 0; offset <= SEARCH_HORIZON_DAYS; offset++) {
    const date = addDays(firstDate, offset);
    const window = windowFor(windows, date);
    if (!window || calendar.isHoliday(where.country, date)) continue;
    const opens = parseClock(window.from);
    const closes = parseClock(window.to);
    const start = localDateTime(date, opens.hour, opens.minute, where.timeZone).toMillis();
    const end = localDateTime(date, closes.hour, closes.minute, where.timeZone).toMillis();
    if (fromMs < start) return toInstant(localDateTime(date, opens.hour, opens.minute, where.timeZone));
    if (fromMs < end) return from;
  }
  throw new Error(`no contact window within ${SEARCH_HORIZON_DAYS} days after ${from} (${where.country}, ${where.timeZone})`);
}

export function isWithinContactWindow(at: Instant, where: CustomerWhereabouts, windows: ContactWindows, calendar: HolidayCalendar): boolean {
  return toMillis(nextContactInstant(at, where, windows, calendar)) === toMillis(at);
}
