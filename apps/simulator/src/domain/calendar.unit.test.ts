import { epochDayOf, firstPaydayOnOrAfter, instantAt, isoDateOf, lastPaydayOnOrBefore, localDayOf, paydayIn, weekdayOf } from './calendar';

describe('calendar', () => {
  it('epoch days round-trip dates and reject impossible ones', () => {
    expect(epochDayOf('1970-01-01')).toBe(0);
    expect(isoDateOf(epochDayOf('2026-02-28') + 1)).toBe('2026-03-01');
    expect(() => epochDayOf('2026-02-30')).toThrow('not a real calendar date');
    expect(weekdayOf(epochDayOf('2026-01-05'))).toBe(1); // a Monday
    expect(weekdayOf(epochDayOf('2026-01-04'))).toBe(7);
  });

  it('paydays: the Swedish 25th moves back to Friday; the last banking day of the month', () => {
    expect(isoDateOf(paydayIn({ kind: 'day-of-month', day: 25 }, 2026, 1))).toBe('2026-01-23'); // the 25th is a Sunday
    expect(isoDateOf(paydayIn({ kind: 'day-of-month', day: 25 }, 2026, 2))).toBe('2026-02-25');
    expect(isoDateOf(paydayIn({ kind: 'last-banking-day' }, 2026, 5))).toBe('2026-05-29'); // the 31st is a Sunday
    const rule = { kind: 'day-of-month', day: 25 } as const;
    expect(isoDateOf(lastPaydayOnOrBefore(rule, epochDayOf('2026-03-10')))).toBe('2026-02-25');
    expect(isoDateOf(firstPaydayOnOrAfter(rule, epochDayOf('2026-03-10')))).toBe('2026-03-25');
  });

  it('local times become UTC instants in the customer’s zone, across daylight saving time', () => {
    expect(instantAt(epochDayOf('2026-01-15'), 6 * 60, 'Europe/Stockholm')).toBe('2026-01-15T05:00:00Z');
    expect(instantAt(epochDayOf('2026-07-15'), 6 * 60, 'Europe/Berlin')).toBe('2026-07-15T04:00:00Z');
    expect(instantAt(epochDayOf('2026-07-15'), 6 * 60, 'Europe/Helsinki')).toBe('2026-07-15T03:00:00Z');
    expect(isoDateOf(localDayOf('2026-07-14T22:30:00Z', 'Europe/Stockholm'))).toBe('2026-07-15');
  });
});
