import { CONSERVATIVE_LAW, GERMAN_LAW, SWEDISH_LAW, type CountryLaw, type Money } from '@dunning/law';
import type { PaydayRule } from '../calendar/payday';
import type { Channel } from '../money';

export type ReminderFeeRule =
  | Exclude<CountryLaw['reminderFee'], { kind: 'actual-cost' }>
  /** The law's actual-cost rule with what a reminder actually costs us, by channel. */
  | (Extract<CountryLaw['reminderFee'], { kind: 'actual-cost' }> & { readonly costByChannel: Readonly<Record<Channel, Money>> });

/**
 * The rules of law of one country as the orchestrator applies them: the limits themselves come
 * from @dunning/law, the platform's one copy of them (promise 8); this adds what a reminder
 * actually costs per channel, the orchestrator's own period for a demand where the law sets none,
 * and the country's usual payday. They are hard limits applied after the policy: whatever a policy
 * asks for, an action never exceeds them.
 */
export interface RulePack {
  readonly country: string;
  readonly description: string;
  readonly reminderFee: ReminderFeeRule;
  /** A collection demand (hand-off) must give at least this many days to pay. */
  readonly collectionDemand: { readonly minDaysToPay: number; readonly law: string };
  /** Statutory default interest: base rate plus a surcharge by customer type. */
  readonly defaultInterest?: CountryLaw['defaultInterest'];
  /** A flat compensation for recovery costs that only businesses owe. */
  readonly businessFlatFee?: CountryLaw['businessFlatFee'];
  /** The country's usual payday, used when a customer's own cannot be learned. */
  readonly payday: PaydayRule;
}

/** The law's fee rule as it stands; an actual-cost rule needs what each channel costs, so it cannot. */
function feeRuleAsIs(law: Omit<CountryLaw, 'country'>): ReminderFeeRule {
  if (law.reminderFee.kind === 'actual-cost') throw new Error(`${law.description}: actual-cost reminders need the cost of each channel`);
  return law.reminderFee;
}

function actualCostFeeRule(law: CountryLaw, costByChannel: Readonly<Record<Channel, Money>>): ReminderFeeRule {
  if (law.reminderFee.kind !== 'actual-cost') throw new Error(`${law.country}: expected an actual-cost reminder fee rule`);
  return { ...law.reminderFee, costByChannel };
}

export const SWEDEN: RulePack = {
  country: SWEDISH_LAW.country,
  description: SWEDISH_LAW.description,
  reminderFee: feeRuleAsIs(SWEDISH_LAW),
  collectionDemand: SWEDISH_LAW.collectionDemand,
  payday: { kind: 'day-of-month', day: 25, source: 'country' },
};

export const GERMANY: RulePack = {
  country: GERMAN_LAW.country,
  description: GERMAN_LAW.description,
  // Courts accept the material cost of a reminder (paper, print, postage), not the creditor's staff time.
  reminderFee: actualCostFeeRule(GERMAN_LAW, {
    letter: { minor: 150, currency: 'EUR' },
    sms: { minor: 10, currency: 'EUR' },
    email: { minor: 0, currency: 'EUR' },
  }),
  // No statutory minimum in German law; the platform's floor of 7 days is data in @dunning/law (docs/law.md).
  collectionDemand: GERMAN_LAW.collectionDemand,
  ...(GERMAN_LAW.defaultInterest ? { defaultInterest: GERMAN_LAW.defaultInterest } : {}),
  ...(GERMAN_LAW.businessFlatFee ? { businessFlatFee: GERMAN_LAW.businessFlatFee } : {}),
  payday: { kind: 'last-banking-day', source: 'country' },
};

/** Any other country: no fees, no interest, a generous period to pay. Conservative by design. */
export const CONSERVATIVE_DEFAULT: Omit<RulePack, 'country'> = {
  description: CONSERVATIVE_LAW.description,
  reminderFee: feeRuleAsIs(CONSERVATIVE_LAW),
  collectionDemand: CONSERVATIVE_LAW.collectionDemand,
  payday: { kind: 'last-banking-day', source: 'country' },
};

const PACKS: ReadonlyMap<string, RulePack> = new Map([SWEDEN, GERMANY].map((pack) => [pack.country, pack]));

export function rulePackFor(country: string): RulePack {
  return PACKS.get(country) ?? { ...CONSERVATIVE_DEFAULT, country };
}
