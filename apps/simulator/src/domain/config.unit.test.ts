import { DEFAULT_CONFIG, mergeConfig, validateConfig } from './config';

describe('configuration', () => {
  it('the defaults are valid', () => {
    expect(validateConfig(DEFAULT_CONFIG)).toEqual([]);
  });

  it('overrides merge into objects and replace arrays and values', () => {
    const merged = mergeConfig(DEFAULT_CONFIG, { customers: 10, churn: { afterCollectionDemand: { multiplier: 4 } }, referenceDunning: { arms: [{ id: 'only', weight: 1, label: 'only', role: 'treatment' }] } } as never);
    expect(merged.customers).toBe(10);
    expect(merged.churn.afterCollectionDemand).toEqual({ multiplier: 4, days: DEFAULT_CONFIG.churn.afterCollectionDemand.days });
    expect(merged.churn.afterPastDueReminder).toEqual(DEFAULT_CONFIG.churn.afterPastDueReminder);
    expect(merged.referenceDunning.arms).toEqual([{ id: 'only', weight: 1, label: 'only', role: 'treatment' }]);
    expect(DEFAULT_CONFIG.customers).not.toBe(10); // the defaults are untouched
  });

  it('lists every problem with its path', () => {
    const broken = mergeConfig(DEFAULT_CONFIG, {
      customers: 0,
      types: { forgetful: { ...DEFAULT_CONFIG.types.forgetful, spontaneousHazard: 1.5, share: { consumer: 0.5, business: 0.12 } } },
      brands: [{ ...DEFAULT_CONFIG.brands[0]!, currency: 'sek', timeZones: [{ value: 'Mars/Olympus', weight: 1 }], consumerPlans: [{ value: { name: 'x', monthlyMinor: 99.5 }, weight: 1 }] }],
    });
    const problems = validateConfig(broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        'customers: expected an integer of at least 1, got 0',
        'types.forgetful.spontaneousHazard: expected a probability in [0, 1], got 1.5',
        expect.stringMatching(/^types\.\*\.share\.consumer: shares add up to 1\.35,/),
        "brands[0] (norrsken-mobil).currency: expected ISO 4217, got 'sek'",
        "brands[0] (norrsken-mobil).timeZones: unknown IANA zone 'Mars/Olympus'",
        'brands[0] (norrsken-mobil).consumerPlans[0].monthlyMinor: expected an integer of at least 1, got 99.5',
      ]),
    );
  });
});
