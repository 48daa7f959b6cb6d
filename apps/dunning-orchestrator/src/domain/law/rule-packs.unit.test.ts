import { enforceRulePack, type ChargeContext, type RequestedCharges } from './enforce-rule-pack';
import { GERMAN_LAW } from '@dunning/law';
import { GERMANY, SWEDEN } from './rule-packs';

// Promise 8: rules of law are data per country and hard limits over any policy.
const sek = (minor: number) => ({ minor, currency: 'SEK' });
const eur = (minor: number) => ({ minor, currency: 'EUR' });

const swedishContext: ChargeContext = {
  country: 'SE',
  customerType: 'consumer',
  reminderFeeAgreed: true,
  today: '2026-04-20',
  dueDate: '2026-03-31',
  outstanding: sek(59_900),
  reminderFeesCharged: 0,
  compensationsCharged: 0,
  overdueRemindersRequested: 1,
};
const letter: RequestedCharges = { action: 'reminder', channel: 'letter', reminderFee: sek(10_000), businessCompensation: false, defaultInterest: false };

describe('Sweden', () => {
  it('caps a reminder fee at 60 SEK', () => {
    const result = enforceRulePack(letter, swedishContext, SWEDEN);
    expect(result.reminderFee).toEqual(sek(6_000));
    expect(result.adjustments.map((a) => a.rule)).toEqual(['SE.reminder-fee.ceiling']);
  });

  it('keeps a fee below the ceiling as asked', () => {
    expect(enforceRulePack({ ...letter, reminderFee: sek(4_500) }, swedishContext, SWEDEN).reminderFee).toEqual(sek(4_500));
  });

  it('charges no fee unless the contract agreed to one', () => {
    const result = enforceRulePack(letter, { ...swedishContext, reminderFeeAgreed: false }, SWEDEN);
    expect(result.reminderFee).toBeUndefined();
    expect(result.adjustments[0]?.rule).toBe('SE.reminder-fee.only-if-agreed');
  });

  it('charges at most one reminder fee per invoice', () => {
    expect(enforceRulePack(letter, { ...swedishContext, reminderFeesCharged: 1 }, SWEDEN).reminderFee).toBeUndefined();
  });

  it('charges no fee before the invoice is overdue', () => {
    expect(enforceRulePack(letter, { ...swedishContext, today: '2026-03-31' }, SWEDEN).reminderFee).toBeUndefined();
  });

  it('gives a collection demand at least 8 days to pay, whatever the policy says', () => {
    const short = enforceRulePack({ action: 'handoff', businessCompensation: false, defaultInterest: false, payWithinDays: 3 }, swedishContext, SWEDEN);
    expect(short.payBy).toBe('2026-04-28');
    expect(short.adjustments.map((a) => a.rule)).toEqual(['SE.collection-demand.min-days-to-pay']);
    const generous = enforceRulePack({ action: 'handoff', businessCompensation: false, defaultInterest: false, payWithinDays: 14 }, swedishContext, SWEDEN);
    expect(generous.payBy).toBe('2026-05-04');
    expect(generous.adjustments).toEqual([]);
  });
});

describe('Germany', () => {
  const germanContext: ChargeContext = { ...swedishContext, country: 'DE', outstanding: eur(100_000), reminderFeeAgreed: false };
  const germanLetter: RequestedCharges = { action: 'reminder', channel: 'letter', reminderFee: eur(500), businessCompensation: false, defaultInterest: false };

  it('gives a collection demand at least 7 days to pay: the one value @dunning/law holds, not a number of its own', () => {
    expect(GERMANY.collectionDemand).toBe(GERMAN_LAW.collectionDemand);
    const short = enforceRulePack({ action: 'handoff', businessCompensation: false, defaultInterest: false, payWithinDays: 3 }, germanContext, GERMANY);
    expect(short.payBy).toBe('2026-04-27');
    expect(short.adjustments.map((a) => a.rule)).toEqual(['DE.collection-demand.min-days-to-pay']);
    const generous = enforceRulePack({ action: 'handoff', businessCompensation: false, defaultInterest: false, payWithinDays: 10 }, germanContext, GERMANY);
    expect(generous.payBy).toBe('2026-04-30');
    expect(generous.adjustments).toEqual([]);
  });

  it('limits a reminder fee to the actual cost of the reminder', () => {
    const result = enforceRulePack(germanLetter, germanContext, GERMANY);
    expect(result.reminderFee).toEqual(eur(150));
    expect(result.adjustments[0]).toMatchObject({ rule: 'DE.reminder-fee.actual-cost', effect: 'capped' });
    expect(enforceRulePack({ ...germanLetter, channel: 'email' }, germanContext, GERMANY).reminderFee).toBeUndefined();
  });

  it('charges nothing for the reminder that puts the debtor in default', () => {
    const result = enforceRulePack(germanLetter, { ...germanContext, overdueRemindersRequested: 0 }, GERMANY);
    expect(result.reminderFee).toBeUndefined();
    expect(result.adjustments[0]?.rule).toBe('DE.reminder-fee.only-in-default');
  });

  it('adds the 40 EUR flat fee for businesses only, once per invoice', () => {
    const asked = { ...germanLetter, businessCompensation: true };
    expect(enforceRulePack(asked, { ...germanContext, customerType: 'business' }, GERMANY).businessCompensation).toEqual(eur(4_000));
    expect(enforceRulePack(asked, germanContext, GERMANY).businessCompensation).toBeUndefined();
    expect(enforceRulePack(asked, { ...germanContext, customerType: 'business', compensationsCharged: 1 }, GERMANY).businessCompensation).toBeUndefined();
  });

  it('computes default interest at base rate + 5 pp for consumers and + 9 pp for businesses', () => {
    // 1 000.00 EUR overdue 1-30 April 2026 (30 days) at base rate 1.27 %:
    // consumer 6.27 %: 100000 × 627 × 30 / 3 650 000 = 515.34 → 515 cents; business 10.27 %: 844.11 → 844 cents.
    const asked = { ...germanLetter, reminderFee: undefined, defaultInterest: true } as RequestedCharges;
    const context = { ...germanContext, dueDate: '2026-03-31', today: '2026-04-30' };
    expect(enforceRulePack(asked, context, GERMANY).interest?.amount).toEqual(eur(515));
    expect(enforceRulePack(asked, { ...context, customerType: 'business' }, GERMANY).interest?.amount).toEqual(eur(844));
  });

  // The interest maths and its fixtures live in libs/law (default-interest.unit.test.ts); here: the rule pack uses them.
  it('splits interest at a change of the base rate and rounds once, half up (@dunning/law)', () => {
    // 10 000.00 EUR from 2025-06-21 to 2025-07-10: 10 days at 2.27 + 5 = 7.27 %, 10 days at 1.27 + 5 = 6.27 %.
    // 1000000 × (727 × 10 + 627 × 10) / 3 650 000 = 3 709.59 → 3 710 cents.
    const asked = { ...germanLetter, reminderFee: undefined, defaultInterest: true } as RequestedCharges;
    const claim = enforceRulePack(asked, { ...germanContext, outstanding: eur(1_000_000), dueDate: '2025-06-20', today: '2025-07-10' }, GERMANY).interest;
    expect(claim?.amount).toEqual(eur(3_710));
    expect(claim?.periods.map((p) => [p.from, p.to, p.annualRateBps, p.baseRateBps])).toEqual([
      ['2025-06-21', '2025-06-30', 727, 227],
      ['2025-07-01', '2025-07-10', 627, 127],
    ]);
  });

  it('does not guess a base rate it does not know: no interest, and the adjustment says why', () => {
    const asked = { ...germanLetter, reminderFee: undefined, defaultInterest: true } as RequestedCharges;
    const result = enforceRulePack(asked, { ...germanContext, dueDate: '2029-12-31', today: '2030-01-31' }, GERMANY);
    expect(result.interest).toBeUndefined();
    expect(result.adjustments).toEqual([expect.objectContaining({ rule: 'DE.default-interest.base-rate-unknown', effect: 'not-computed' })]);
  });
});

describe('a country without a rule pack', () => {
  it('charges no fee at all and gives at least 14 days to pay a demand', () => {
    const context: ChargeContext = { ...swedishContext, country: 'US', outstanding: { minor: 5_000, currency: 'USD' } };
    expect(enforceRulePack({ ...letter, reminderFee: { minor: 500, currency: 'USD' } }, context).reminderFee).toBeUndefined();
    expect(enforceRulePack({ action: 'handoff', businessCompensation: false, defaultInterest: false, payWithinDays: 5 }, context).payBy).toBe('2026-05-04');
  });
});
