import fc from 'fast-check';
import { add, compare, CurrencyMismatchError, format, money, MoneyRangeError, subtract, sum } from './money';

describe('money', () => {
  it('adds, subtracts and compares in one currency', () => {
    expect(add(money(150, 'SEK'), money(250, 'SEK'))).toEqual(money(400, 'SEK'));
    expect(subtract(money(150, 'SEK'), money(250, 'SEK'))).toEqual(money(-100, 'SEK'));
    expect(compare(money(1, 'EUR'), money(2, 'EUR'))).toBe(-1);
    expect(compare(money(2, 'EUR'), money(2, 'EUR'))).toBe(0);
    expect(sum([money(1, 'SEK'), money(2, 'SEK')], 'SEK')).toEqual(money(3, 'SEK'));
  });

  it('never mixes currencies', () => {
    expect(() => add(money(1, 'SEK'), money(1, 'EUR'))).toThrow(CurrencyMismatchError);
    expect(() => subtract(money(1, 'SEK'), money(1, 'EUR'))).toThrow('currency mismatch: SEK and EUR cannot be combined');
    expect(() => compare(money(1, 'SEK'), money(1, 'EUR'))).toThrow(CurrencyMismatchError);
  });

  it('refuses fractions and amounts beyond safe integers', () => {
    expect(() => money(10.5, 'SEK')).toThrow(MoneyRangeError);
    expect(() => add(money(Number.MAX_SAFE_INTEGER, 'SEK'), money(1, 'SEK'))).toThrow(MoneyRangeError);
    expect(() => money(1, 'sek')).toThrow(MoneyRangeError);
  });

  it('formats minor units by the currency exponent, without floats', () => {
    expect(format(money(12_345, 'SEK'))).toBe('SEK 123.45');
    expect(format(money(5, 'EUR'))).toBe('EUR 0.05');
    expect(format(money(-5, 'EUR'))).toBe('EUR -0.05');
    expect(format(money(1_000, 'JPY'))).toBe('JPY 1000');
    expect(format(money(1_234, 'KWD'))).toBe('KWD 1.234');
    expect(format(money(Number.MAX_SAFE_INTEGER, 'SEK'))).toBe('SEK 90071992547409.91');
  });

  it('adds associatively and subtracts as its inverse (property)', () => {
    const amount = fc.integer({ min: -1e12, max: 1e12 }).map((minor) => money(minor, 'SEK'));
    fc.assert(
      fc.property(amount, amount, amount, (a, b, c) => {
        expect(add(add(a, b), c)).toEqual(add(a, add(b, c)));
        expect(subtract(add(a, b), b)).toEqual(a);
      }),
    );
  });
});
