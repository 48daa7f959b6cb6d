import fc from 'fast-check';
import { addDays, daysBetween } from './calendar-date';
import { computeDefaultInterest, type InterestInput } from './default-interest';
import { GERMAN_BASE_RATES, type DatedRate } from './german-base-rates';

const law = '§ 288 BGB';
const eur = (minor: number) => ({ minor, currency: 'EUR' });
const german = (input: Omit<InterestInput, 'baseRates' | 'law'>) => computeDefaultInterest({ ...input, baseRates: GERMAN_BASE_RATES, law });
const amountOf = (result: ReturnType<typeof computeDefaultInterest>) => {
  if (!result.ok) throw new Error(`expected a calculation, got ${result.reason} on ${result.date}`);
  return result.calculation.amount;
};

describe('default interest on integer minor units (Germany, promises 5 and 8)', () => {
  it('charges a consumer base rate + 5 pp and a business base rate + 9 pp (hand-computed)', () => {
    // 1,000.00 EUR overdue 1–30 April 2026 (30 days) at base rate 1.27 %:
    // consumer 6.27 %: 100000 × 627 × 30 / 3,650,000 = 515.34 → 515 cents;
    // business 10.27 %: 100000 × 1027 × 30 / 3,650,000 = 844.11 → 844 cents.
    expect(amountOf(german({ principal: eur(100_000), from: '2026-04-01', to: '2026-04-30', surchargeBps: 500 }))).toEqual(eur(515));
    expect(amountOf(german({ principal: eur(100_000), from: '2026-04-01', to: '2026-04-30', surchargeBps: 900 }))).toEqual(eur(844));
  });

  it('splits the period where the base rate changes and rounds once, half up', () => {
    // 1,000.00 EUR, consumer (+5 pp), 2025-06-21..2025-07-20: 10 days at 2.27+5 %, 20 days at 1.27+5 %.
    const result = german({ principal: eur(100_000), from: '2025-06-21', to: '2025-07-20', surchargeBps: 500 });
    if (!result.ok) throw new Error('expected a calculation');
    expect(result.calculation.segments).toEqual([
      { from: '2025-06-21', to: '2025-06-30', days: 10, baseRateBps: 227, surchargeBps: 500, rateBps: 727 },
      { from: '2025-07-01', to: '2025-07-20', days: 20, baseRateBps: 127, surchargeBps: 500, rateBps: 627 },
    ]);
    // 100000 × (727×10 + 627×20) / 3,650,000 = 542.74 → 543 cents
    expect(result.calculation.amount).toEqual(eur(543));
    expect(result.calculation.days).toBe(30);
    expect(result.calculation.rounding).toBe('half-up');
  });

  it('charges a business 9 percentage points above the base rate across a change of rate', () => {
    // 100000 × (1127×10 + 1027×20) / 3,650,000 = 871.51 → 872 cents
    expect(amountOf(german({ principal: eur(100_000), from: '2025-06-21', to: '2025-07-20', surchargeBps: 900 }))).toEqual(eur(872));
  });

  it('rounds 3,709.59 cents up to 3,710 (the two services used to disagree here by a cent)', () => {
    // 10,000.00 EUR 2025-06-21..2025-07-10: 1000000 × (727×10 + 627×10) / 3,650,000 = 3,709.589…
    expect(amountOf(german({ principal: eur(1_000_000), from: '2025-06-21', to: '2025-07-10', surchargeBps: 500 }))).toEqual(eur(3_710));
  });

  it('rounds an exact half up and anything below it down', () => {
    const flat: DatedRate[] = [{ validFrom: '2000-01-01', validTo: '2099-12-31', rateBps: 1_000, source: 'test' }];
    const half = computeDefaultInterest({ principal: eur(365), from: '2030-01-01', to: '2030-01-05', baseRates: flat, surchargeBps: 0, law });
    expect(amountOf(half).minor).toBe(1); // 365 × 1000 × 5 / 3,650,000 = 0.5
    const below = computeDefaultInterest({ principal: eur(364), from: '2030-01-01', to: '2030-01-05', baseRates: flat, surchargeBps: 0, law });
    expect(amountOf(below).minor).toBe(0); // 0.4986
  });

  it('is zero for an empty period', () => {
    const result = german({ principal: eur(100_000), from: '2026-04-02', to: '2026-04-01', surchargeBps: 500 });
    expect(amountOf(result)).toEqual(eur(0));
    expect(result.ok && result.calculation.segments).toEqual([]);
  });

  it('refuses to guess a base rate it does not have: after the end of the table the rate is unknown', () => {
    expect(german({ principal: eur(100), from: '2026-06-25', to: '2026-07-05', surchargeBps: 500 })).toEqual({ ok: false, reason: 'base-rate-unknown', date: '2026-07-01' });
    expect(german({ principal: eur(100), from: '2030-01-01', to: '2030-01-31', surchargeBps: 500 })).toEqual({ ok: false, reason: 'base-rate-unknown', date: '2030-01-01' });
  });

  it('rejects a negative or fractional principal', () => {
    expect(() => german({ principal: eur(-1), from: '2026-04-01', to: '2026-04-30', surchargeBps: 500 })).toThrow(RangeError);
    expect(() => german({ principal: eur(1.5), from: '2026-04-01', to: '2026-04-30', surchargeBps: 500 })).toThrow(RangeError);
  });

  it('property: the result is an integer, covers every day once and equals the exact sum rounded half up', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), fc.integer({ min: 0, max: 1_200 }), fc.integer({ min: 0, max: 900 }), fc.boolean(), (principal, startOffset, length, business) => {
        const from = addDays('2023-01-01', startOffset);
        const to = addDays(from, length);
        if (to > '2026-06-30') return;
        const result = german({ principal: eur(principal), from, to, surchargeBps: business ? 900 : 500 });
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
        expect(Math.abs(amount.minor - Number(numerator) / 3_650_000)).toBeLessThanOrEqual(0.5);
        expect(amount.minor).toBe(Number((numerator * 2n + 3_650_000n) / 7_300_000n));
      }),
      { numRuns: 300 },
    );
  });
});
