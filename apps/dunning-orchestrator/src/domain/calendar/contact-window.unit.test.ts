import { DateHolidaysCalendar } from './holiday-calendar';
import { isWithinContactWindow, nextContactInstant, type ContactWindows } from './contact-window';

// Promise 6: instants in UTC, scheduling in the customer's zone (quiet hours, weekends, holidays).
const calendar = new DateHolidaysCalendar();
const windows: ContactWindows = { weekdays: { from: '09:00', to: '19:00' }, saturday: { from: '10:00', to: '15:00' }, sunday: null };
const stockholm = { timeZone: 'Europe/Stockholm', country: 'SE' };
const berlin = { timeZone: 'Europe/Berlin', country: 'DE' };
const newYork = { timeZone: 'America/New_York', country: 'US' };
const tokyo = { timeZone: 'Asia/Tokyo', country: 'JP' };

describe('contact windows in the customer time zone', () => {
  it.each([
    ['Stockholm weekday before opening waits for 09:00 CET', stockholm, '2026-03-04T06:00:00.000Z', '2026-03-04T08:00:00.000Z'],
    ['Stockholm weekday inside the window is now', stockholm, '2026-03-04T12:34:00.000Z', '2026-03-04T12:34:00.000Z'],
    ['Stockholm Friday evening moves to Saturday 10:00', stockholm, '2026-03-06T18:30:00.000Z', '2026-03-07T09:00:00.000Z'],
    ['Stockholm Saturday afternoon after 15:00 skips Sunday to Monday', stockholm, '2026-03-07T14:00:00.000Z', '2026-03-09T08:00:00.000Z'],
    ['Berlin Sunday goes to Monday 09:00', berlin, '2026-03-08T10:00:00.000Z', '2026-03-09T08:00:00.000Z'],
    ['New York morning is still night in UTC terms', newYork, '2026-03-04T12:00:00.000Z', '2026-03-04T14:00:00.000Z'],
    ['Tokyo 09:00 JST is midnight UTC', tokyo, '2026-03-03T16:00:00.000Z', '2026-03-04T00:00:00.000Z'],
  ])('%s', (_label, where, from, expected) => {
    expect(nextContactInstant(from, where, windows, calendar)).toBe(expected);
  });

  it('closes at the end of the window (exclusive) and is open a minute before', () => {
    expect(isWithinContactWindow('2026-03-04T17:59:00.000Z', stockholm, windows, calendar)).toBe(true); // 18:59 CET
    expect(isWithinContactWindow('2026-03-04T18:00:00.000Z', stockholm, windows, calendar)).toBe(false); // 19:00 CET
  });
});

describe('daylight saving time', () => {
  it('Stockholm: 09:00 is 08:00Z before and 07:00Z after spring forward (29 March 2026)', () => {
    expect(nextContactInstant('2026-03-27T05:00:00.000Z', stockholm, windows, calendar)).toBe('2026-03-27T08:00:00.000Z');
    // Saturday 28th after 15:00, Sunday 29th (the switch) closed, Monday 09:00 CEST.
    expect(nextContactInstant('2026-03-28T15:00:00.000Z', stockholm, windows, calendar)).toBe('2026-03-30T07:00:00.000Z');
  });

  it('Berlin: back to 08:00Z after fall back (25 October 2026)', () => {
    expect(nextContactInstant('2026-10-24T14:00:00.000Z', berlin, windows, calendar)).toBe('2026-10-26T08:00:00.000Z');
  });

  it('New York: 09:00 EST is 14:00Z, 09:00 EDT after 8 March 2026 is 13:00Z', () => {
    expect(nextContactInstant('2026-03-06T05:00:00.000Z', newYork, windows, calendar)).toBe('2026-03-06T14:00:00.000Z');
    expect(nextContactInstant('2026-03-08T05:00:00.000Z', newYork, windows, calendar)).toBe('2026-03-09T13:00:00.000Z');
  });

  it('a window opening inside the spring-forward gap opens at the first existing minute', () => {
    const night: ContactWindows = { weekdays: null, saturday: null, sunday: { from: '02:30', to: '05:00' } };
    // 02:30 does not exist in Stockholm on 29 March 2026; 03:30 CEST (01:30Z) is the first minute after the gap.
    expect(nextContactInstant('2026-03-29T00:00:00.000Z', stockholm, night, calendar)).toBe('2026-03-29T01:30:00.000Z');
  });
});

describe('public holidays of the customer country', () => {
  it('skips Midsommarafton and Midsommardagen in Sweden (19-20 June 2026)', () => {
    expect(calendar.isHoliday('SE', '2026-06-19')).toBe(true);
    expect(nextContactInstant('2026-06-19T08:00:00.000Z', stockholm, windows, calendar)).toBe('2026-06-22T07:00:00.000Z');
  });

  it('skips Christmas Eve to Boxing Day and the Sunday after in Sweden', () => {
    expect(nextContactInstant('2026-12-24T08:00:00.000Z', stockholm, windows, calendar)).toBe('2026-12-28T08:00:00.000Z');
  });

  it('skips Tag der Deutschen Einheit in Germany but not in Sweden', () => {
    // Friday 3 October 2025.
    expect(nextContactInstant('2025-10-03T08:00:00.000Z', berlin, windows, calendar)).toBe('2025-10-04T08:00:00.000Z');
    expect(nextContactInstant('2025-10-03T08:00:00.000Z', stockholm, windows, calendar)).toBe('2025-10-03T08:00:00.000Z');
  });

  it('skips Thanksgiving in New York and Golden Week in Tokyo', () => {
    expect(nextContactInstant('2026-11-26T15:00:00.000Z', newYork, windows, calendar)).toBe('2026-11-27T14:00:00.000Z');
    // Saturday 2 May after 15:00 JST; 3-6 May are holidays (Sunday 3rd as well).
    expect(nextContactInstant('2026-05-02T07:00:00.000Z', tokyo, windows, calendar)).toBe('2026-05-07T00:00:00.000Z');
  });

  it('has no holidays for a country the data set does not know, but still rests on Sunday', () => {
    expect(calendar.isHoliday('ZZ', '2026-12-25')).toBe(false);
    expect(nextContactInstant('2026-03-08T10:00:00.000Z', { timeZone: 'UTC', country: 'ZZ' }, windows, calendar)).toBe('2026-03-09T09:00:00.000Z');
  });
});
