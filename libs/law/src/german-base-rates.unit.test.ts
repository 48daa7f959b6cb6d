import { addDays } from './calendar-date';
import { baseRateOn, GERMAN_BASE_RATES } from './german-base-rates';

describe('the German base-rate table', () => {
  it('is a gap-free run of half-years, each from 1 January or 1 July, each naming its source', () => {
    GERMAN_BASE_RATES.forEach((rate, i) => {
      expect(rate.validFrom.slice(5)).toMatch(/^(01-01|07-01)$/);
      expect(rate.validTo.slice(5)).toMatch(/^(06-30|12-31)$/);
      expect(rate.source).toMatch(/Deutsche Bundesbank/);
      expect(Number.isSafeInteger(rate.rateBps)).toBe(true);
      if (i > 0) expect(rate.validFrom).toBe(addDays(GERMAN_BASE_RATES[i - 1]!.validTo, 1));
    });
  });

  it('knows the published rates (Bundesbank: 1.7.2025 1.27 %, 1.1.2025 2.27 %)', () => {
    expect(baseRateOn(GERMAN_BASE_RATES, '2025-07-01')?.rateBps).toBe(127);
    expect(baseRateOn(GERMAN_BASE_RATES, '2025-06-30')?.rateBps).toBe(227);
  });

  it('answers unknown after the end of the table and before its start, never a guess', () => {
    const last = GERMAN_BASE_RATES[GERMAN_BASE_RATES.length - 1]!;
    expect(baseRateOn(GERMAN_BASE_RATES, last.validTo)).toBe(last);
    expect(baseRateOn(GERMAN_BASE_RATES, addDays(last.validTo, 1))).toBeUndefined();
    expect(baseRateOn(GERMAN_BASE_RATES, '2022-12-31')).toBeUndefined();
  });
});
