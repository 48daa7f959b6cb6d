import { DateHolidaysCalendar } from './holiday-calendar';
import { firstPaydayOnOrAfter, learnPayday, paydayInMonth } from './payday';
import { GERMANY, SWEDEN } from '../law/rule-packs';

const calendar = new DateHolidaysCalendar();

describe('country paydays', () => {
  it.each([
    ['an ordinary Wednesday 25th', 2026, 3, '2026-03-25'],
    ['Saturday 25 April moves to Friday 24th', 2026, 4, '2026-04-24'],
    ['Sunday 25 January moves to Friday 23rd', 2026, 1, '2026-01-23'],
    ['Christmas Day 25 December, Christmas Eve a bank holiday: Wednesday 23rd', 2026, 12, '2026-12-23'],
    ['Midsommarafton on Friday 25 June 2027 moves to Thursday 24th', 2027, 6, '2027-06-24'],
  ])('Sweden, the 25th or the banking day before: %s', (_label, year, month, expected) => {
    expect(paydayInMonth(SWEDEN.payday, year, month, 'SE', calendar)).toBe(expected);
  });

  it.each([
    ['Sunday 31 May: Friday 29th', 2026, 5, '2026-05-29'],
    ['Saturday 31 October: Friday 30th', 2026, 10, '2026-10-30'],
    ['Silvester is a bank holiday: Wednesday 30 December', 2026, 12, '2026-12-30'],
    ['an ordinary Tuesday 30 June', 2026, 6, '2026-06-30'],
  ])('Germany, the last banking day: %s', (_label, year, month, expected) => {
    expect(paydayInMonth(GERMANY.payday, year, month, 'DE', calendar)).toBe(expected);
  });

  it('finds the first payday on or after a date, rolling into the next month', () => {
    expect(firstPaydayOnOrAfter('2026-04-24', SWEDEN.payday, 'SE', calendar)).toBe('2026-04-24');
    expect(firstPaydayOnOrAfter('2026-04-25', SWEDEN.payday, 'SE', calendar)).toBe('2026-05-25');
    expect(firstPaydayOnOrAfter('2026-12-31', GERMANY.payday, 'DE', calendar)).toBe('2027-01-29');
  });
});

describe('learning a customer payday from payment history', () => {
  it('learns the usual day of the month', () => {
    expect(learnPayday(['2026-01-10', '2026-02-10', '2026-03-11', '2026-04-10', '2026-05-12'])).toEqual({ kind: 'day-of-month', day: 10, source: 'learned' });
  });

  it('learns the end of the month', () => {
    expect(learnPayday(['2026-01-30', '2026-02-27', '2026-03-31', '2026-04-30'])).toEqual({ kind: 'last-banking-day', source: 'learned' });
  });

  it('learns nothing from scattered or too few payments', () => {
    expect(learnPayday(['2026-01-03', '2026-02-12', '2026-03-20', '2026-04-27'])).toBeUndefined();
    expect(learnPayday(['2026-01-10', '2026-02-10'])).toBeUndefined();
  });

  it('a learned 10th moves to the banking day before when it falls on a weekend', () => {
    // 10 January 2026 is a Saturday.
    expect(paydayInMonth({ kind: 'day-of-month', day: 10, source: 'learned' }, 2026, 1, 'SE', calendar)).toBe('2026-01-09');
  });
});
