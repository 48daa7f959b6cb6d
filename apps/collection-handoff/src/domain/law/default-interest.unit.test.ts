import fc from 'fast-check';
import { addDays, daysBetween } from '../calendar';
import { GERMAN_BASE_RATES, type DatedRate } from './country-rules';
import { computeDefaultInterest } from './default-interest';

const law = '§ 288 BGB';

describe('default interest on integer minor units (Germany, promise 5 and 8)', () => {
  it('splits the period where the base rate changes and rounds once, half up', () => {
    // 1,000.00 EUR, consumer (+5 pp), 2025-06-21..2025-07-20: 10 days at 2.27+5 %, 20 days at 1.27+5 %.
    const result = computeDefaultInterest({ principal: { minor: 100_000, currency: 'EUR' }, from: '2025-06-21', to: '2025-07-20', baseRates: GERMAN_BASE_RATES, surchargeBps: 500, law });
    if (!result.ok) throw new Error('expected a calculation');
    expect(result.calculation.segments).toEqual([
      { from: '2025-06-21', to: '2025-06-30', days: 10, baseRateBps: 227, surchargeBps: 500, rateBps: 727 },
      { from: '2025-07-01', to: '2025-07-20', days: 20, baseRateBps: 127, surchargeBps: 500, rateBps: 627 },
    ]);
    // 100000 × (727×10 + 627×20) / 3,650,000 = 542.74 → 543 cents
    expect(result.calculation.amount).toEqual({ minor: 543, currency: 'EUR' });
    expect(result.calculation.days).toBe(30);
  });

  it('charges a business 9 percentage points above the base rate', () => {
    const result = computeDefaultInterest({ principal: { minor: 100_000, currency: 'EUR' }, from: '2025-06-21', to: '2025-07-20', baseRates: GERMAN_BASE_RATES, surchargeBps: 900, law });
    // 100000 × (1127×10 + 1027×20) / 3,650,000 = 871.51 → 872 cents
    expect(result.ok && result.calculation.amount.minor).toBe(872);
  });

  it('rounds an exact half up and anything below it down', () => {
    const flat: DatedRate[] = [{ validFrom: '2000-01-01', validTo: '2099-12-31', rateBps: 1_000, source: 'test' }];
    const half = computeDefaultInterest({ principal: { minor: 365, currency: 'EUR' }, from: '2030-01-01', to: '2030-01-05', baseRates: flat, surchargeBps: 0, law });
    expect(half.ok && half.calculation.amount.minor).toBe(1); // 365 × 1000 × 5 / 3,650,000 = 0.5
    const below = computeDefaultInterest({ principal: { minor: 364, currency: 'EUR' }, from: '2030-01-01', to: '2030-01-05', baseRates: flat, surchargeBps: 0, law });
    expect(below.ok && below.calculation.amount.minor).toBe(0); // 0.4986
  });

  it('refuses to guess a base rate it does not have', () => {
    const result = computeDefaultInterest({ principal: { minor: 100, currency: 'EUR' }, from: '2026-06-25', to: '2026-07-05', baseRates: GERMAN_BASE_RATES, surchargeBps: 500, law });
    expect(result).toEqual({ ok: false, reason: 'base-rate-unknown', date: '2026-07-01' });
  });

  it('property: the result is an integer, covers every day once and equals the exact sum rounded half up', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), fc.integer({ min: 0, max: 1_200 }), fc.integer({ min: 0, max: 900 }), fc.boolean(), (principal, startOffset, length, business) => {
        const from = addDays('2023-01-01', startOffset);
        const to = addDays(from, length);
        if (to > '2026-06-30') return;
        const result = computeDefaultInterest({ principal: { minor: principal, currency: 'EUR' }, from, to, baseRates: GERMAN_BASE_RATES, surchargeBps: business ? 900 : 500, law });
        if (!result.ok) throw new Error('rates cover the range');
        const { segments, amount } = result.calculation;
        expect(Number.isSafeInteger(amount.minor)).toBe(true);
        expect(segments.reduce((n, s) => n + s.days, 0)).toBe(daysBetween(from, to) + 1);
        segments.forEach((s, i) => i > 0 && expect(s.from).toBe(addDays(segments[i - 1]!.to, 1)));
        // Independent oracle: day by day, exact rational, rounded half up at the end.
        let numerator = 0n;
        for (let day = from; day <= to; day = addDays(day, 1)) {
          const rate = GERMAN_BASE_RATES.find((r) => r.validFrom <= day && day <= r.validTo)!;
          numerator += BigInt(principal) * BigInt(rate.rateBps + (business ? 900 : 500));
        }
        const exact = Number(numerator) / 3_650_000;
        expect(Math.abs(amount.minor - exact)).toBeLessThanOrEqual(0.5);
        expect(amount.minor).toBe(Number((numerator * 2n + 3_650_000n) / 7_300_000n));
      }),
      { numRuns: 300 },
    );
  });
});
