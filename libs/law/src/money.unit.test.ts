import { add, compare, CurrencyMismatchError, divideRoundHalfUp, max, min, money, MoneyRangeError, subtract, sum } from './money';

const sek = (minor: number) => money(minor, 'SEK');

describe('Money (promise 5)', () => {
  it('adds, subtracts and compares amounts of one currency in minor units', () => {
    expect(add(sek(150), sek(250))).toEqual(sek(400));
    expect(subtract(sek(150), sek(250))).toEqual(sek(-100));
    expect([compare(sek(1), sek(2)), compare(sek(2), sek(2)), compare(sek(3), sek(2))]).toEqual([-1, 0, 1]);
    expect(min(sek(1), sek(2))).toEqual(sek(1));
    expect(max(sek(1), sek(2))).toEqual(sek(2));
    expect(sum([sek(1), sek(2), sek(3)], 'SEK')).toEqual(sek(6));
    expect(sum([], 'EUR')).toEqual(money(0, 'EUR'));
  });

  it('never combines two currencies', () => {
    const eur = money(100, 'EUR');
    expect(() => add(sek(100), eur)).toThrow(CurrencyMismatchError);
    expect(() => subtract(sek(100), eur)).toThrow(CurrencyMismatchError);
    expect(() => compare(sek(100), eur)).toThrow('currency mismatch: SEK and EUR cannot be combined');
  });

  it('refuses fractions, unsafe integers and non-ISO currencies', () => {
    expect(() => money(1.5, 'SEK')).toThrow(MoneyRangeError);
    expect(() => money(1, 'kr')).toThrow(MoneyRangeError);
    expect(() => add(sek(Number.MAX_SAFE_INTEGER), sek(1))).toThrow(MoneyRangeError);
  });

  it('divides rounding half up', () => {
    expect([divideRoundHalfUp(4n, 10n), divideRoundHalfUp(5n, 10n), divideRoundHalfUp(15n, 10n), divideRoundHalfUp(0n, 3n)]).toEqual([0n, 1n, 2n, 0n]);
    expect(() => divideRoundHalfUp(1n, 0n)).toThrow(RangeError);
    expect(() => divideRoundHalfUp(-1n, 2n)).toThrow(RangeError);
  });
});
