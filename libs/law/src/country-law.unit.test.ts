import { CONSERVATIVE_LAW, countryLawFor, GERMAN_LAW, knownCountryLaw, SWEDISH_LAW } from './country-law';
import { GERMAN_BASE_RATES } from './german-base-rates';

describe('rules of law per country (promise 8)', () => {
  it('Sweden: a reminder fee of at most 60 SEK, once, only if agreed; a demand gives at least 8 days', () => {
    expect(SWEDISH_LAW.reminderFee).toMatchObject({ kind: 'capped-if-agreed', ceiling: { minor: 6_000, currency: 'SEK' }, maxPerInvoice: 1 });
    expect(SWEDISH_LAW.collectionDemand.minDaysToPay).toBe(8);
    expect(SWEDISH_LAW.defaultInterest).toBeUndefined();
    expect(SWEDISH_LAW.businessFlatFee).toBeUndefined();
  });

  it('Germany: actual-cost reminders, base rate + 5 pp consumer / + 9 pp business, 40 EUR flat fee for businesses', () => {
    expect(GERMAN_LAW.reminderFee).toMatchObject({ kind: 'actual-cost', onlyOnceInDefault: true });
    expect(GERMAN_LAW.defaultInterest?.surchargeBps).toEqual({ consumer: 500, business: 900 });
    expect(GERMAN_LAW.defaultInterest?.baseRates).toBe(GERMAN_BASE_RATES);
    expect(GERMAN_LAW.businessFlatFee?.amount).toEqual({ minor: 4_000, currency: 'EUR' });
  });

  it('Germany: a collection demand gives at least 7 days, a platform floor (the law sets no minimum) and said so', () => {
    expect(GERMAN_LAW.collectionDemand).toMatchObject({ minDaysToPay: 7, basis: 'platform-floor' });
    expect(GERMAN_LAW.collectionDemand.law).toMatch(/no statutory minimum/);
    expect(SWEDISH_LAW.collectionDemand.basis).toBe('statute');
    expect(CONSERVATIVE_LAW.collectionDemand.basis).toBe('platform-floor');
  });

  it('any other country: no fee, no interest, at least 14 days to pay', () => {
    expect(knownCountryLaw('FI')).toBeUndefined();
    expect(knownCountryLaw(undefined)).toBeUndefined();
    expect(countryLawFor('FI')).toEqual({ ...CONSERVATIVE_LAW, country: 'FI' });
    expect(countryLawFor(undefined).country).toBe('unknown');
    expect(countryLawFor('FI').reminderFee.kind).toBe('none');
    expect(countryLawFor('FI').collectionDemand.minDaysToPay).toBe(14);
    expect(countryLawFor('DE')).toBe(GERMAN_LAW);
  });
});
