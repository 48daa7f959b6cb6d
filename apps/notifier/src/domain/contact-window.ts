import { DateTime } from 'luxon';

/** A time of day range in local time, "09:00"–"19:00"; `to` is exclusive. */
export interface DailyWindow {
  readonly from: string;
  readonly to: string;
}

/** When a customer may be contacted, in their own time zone (DESIGN.md promise 6). `null`: never on that day. */
export interface ContactWindows {
  readonly weekdays: DailyWindow | null;
  readonly saturday: DailyWindow | null;
  readonly sunday: DailyWindow | null;
}

function windowFor(windows: ContactWindows, weekday: number): DailyWindow | null {
  if (weekday === 6) return windows.saturday;
  if (weekday === 7) return windows.sunday;
  return windows.weekdays;
}

function at(day: DateTime, time: string): DateTime {
  const [hour, minute] = time.split(':').map(Number);
  return day.set({ hour: hour ?? 0, minute: minute ?? 0, second: 0, millisecond: 0 });
}

/**
 * `inside` when `now` falls in today's window in `timeZone`; otherwise the next instant a window
 * opens (within a week), or `never` when no day has a window.
 */
export function contactWindowAt(now: Date, timeZone: string, windows: ContactWindows): { readonly kind: 'inside' } | { readonly kind: 'next'; readonly opensAt: Date } | { readonly kind: 'never' } {
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  if (!local.isValid) throw new Error(`unknown time zone ${timeZone}`);
  for (let offset = 0; offset <= 7; offset += 1) {
    const day = local.plus({ days: offset }).startOf('day');
    const window = windowFor(windows, day.weekday);
    if (!window) continue;
    const opens = at(day, window.from);
    const closes = at(day, window.to);
    if (offset === 0 && local >= opens && local < closes) return { kind: 'inside' };
    if (opens > local) return { kind: 'next', opensAt: opens.toJSDate() };
  }
  return { kind: 'never' };
}
