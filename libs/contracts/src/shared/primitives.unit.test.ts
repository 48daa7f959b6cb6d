import fc from 'fast-check';
import { bcp47Locale, calendarDate, countryCode, currencyCode, ianaTimeZone, instant, money, phoneE164, positiveMoney } from './primitives';

const accepts = (schema: { safeParse(value: unknown): { success: boolean } }, value: unknown): boolean => schema.safeParse(value).success;

describe('primitives', () => {
  it.each([
    ['currency', currencyCode, ['SEK', 'EUR', 'NOK', 'USD'], ['sek', 'XXY', 'SE', 'SEKR', 5, '']],
    ['calendar date', calendarDate, ['2026-03-31', '2028-02-29', '2026-12-31'], ['2026-02-30', '2027-02-29', '2026/01/01', '2026-1-1', '2026-03-31T00:00:00Z']],
    ['instant', instant, ['2026-03-01T09:30:00Z', '2026-03-01T09:30:00.123+01:00', '2026-03-01T09:30:00-05:00'], ['2026-03-01T09:30:00', '2026-03-01 09:30:00Z', '2026-02-30T09:30:00Z', 1772352000000]],
    ['E.164 phone', phoneE164, ['+46701234567', '+4915112345678'], ['0701234567', '+0701234567', '+46 70 123 45 67', '+4670123456789012']],
    ['BCP 47 locale', bcp47Locale, ['sv-SE', 'en', 'de-DE', 'sr-Latn-RS'], ['sv_SE', '', 'x', 'english please']],
    ['IANA time zone', ianaTimeZone, ['Europe/Stockholm', 'UTC', 'America/Argentina/Buenos_Aires', 'Etc/GMT+1'], ['+01:00', 'Mars/Olympus', 'CET+1', '']],
    ['country', countryCode, ['SE', 'DE', 'FI'], ['se', 'XX', 'SWE', 'ZZ']],
  ] as const)('%s', (_name, schema, good, bad) => {
    for (const value of good) expect({ value, accepted: accepts(schema, value) }).toEqual({ value, accepted: true });
    for (const value of bad) expect({ value, accepted: accepts(schema, value) }).toEqual({ value, accepted: false });
  });

  it('money is a safe integer of minor units with a known currency, never a float', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom('SEK', 'EUR', 'NOK'), (minor, currency) => {
        expect(money.parse({ minor, currency })).toEqual({ minor, currency });
        expect(accepts(positiveMoney, { minor, currency })).toBe(minor >= 1);
      }),
    );
    fc.assert(
      fc.property(fc.double({ noInteger: true, noNaN: true }), (minor) => {
        expect(accepts(money, { minor, currency: 'SEK' })).toBe(false);
      }),
    );
    expect(accepts(money, { minor: Number.MAX_SAFE_INTEGER + 1, currency: 'SEK' })).toBe(false);
    expect(accepts(money, { minor: -1, currency: 'SEK' })).toBe(false);
  });
});
