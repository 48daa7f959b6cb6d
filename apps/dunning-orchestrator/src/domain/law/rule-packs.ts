import type { PaydayRule } from '../calendar/payday';
import type { LocalDate } from '../time/time';
import type { Channel, Money } from '../money';

/** An interest rate that applies between two dates (inclusive), in basis points (1 % = 100). */
export interface DatedRate {
  readonly validFrom: LocalDate;
  readonly validTo: LocalDate;
  readonly rateBps: number;
  readonly source: string;
}

export type ReminderFeeRule =
  /** A fee up to a ceiling, and only if the customer's contract says so (Sweden). */
  | { readonly kind: 'capped-if-agreed'; readonly ceiling: Money; readonly maxPerInvoice: number; readonly law: string }
  /** Only the creditor's actual costs of the reminder, and only once the debtor is in default (Germany). */
  | { readonly kind: 'actual-cost'; readonly costByChannel: Readonly<Record<Channel, Money>>; readonly onlyOnceInDefault: boolean; readonly law: string }
  /** No reminder fee at all (countries without a rule pack: the safe default). */
  | { readonly kind: 'none'; readonly law: string };

/**
 * The rules of law of one country, as data (DESIGN.md promise 8). They are hard limits applied
 * after the policy: whatever a policy asks for, an action never exceeds them.
 */
export interface RulePack {
  readonly country: string;
  readonly description: string;
  readonly reminderFee: ReminderFeeRule;
  /** A collection demand (hand-off) must give at least this many days to pay. */
  readonly collectionDemand: { readonly minDaysToPay: number; readonly law: string };
  /** Statutory default interest: base rate plus a surcharge by customer type. */
  readonly defaultInterest?: {
    readonly baseRates: readonly DatedRate[];
    readonly surchargeBps: { readonly consumer: number; readonly business: number };
    readonly law: string;
  };
  /** A flat compensation for recovery costs that only businesses owe. */
  readonly businessFlatFee?: { readonly amount: Money; readonly maxPerInvoice: number; readonly law: string };
  /** The country's usual payday, used when a customer's own cannot be learned. */
  readonly payday: PaydayRule;
}

export const SWEDEN: RulePack = {
  country: 'SE',
  description: 'Sweden: lag (1981:739) om ersättning för inkassokostnader m.m. and inkassolagen (1974:182)',
  reminderFee: {
    kind: 'capped-if-agreed',
    ceiling: { minor: 6_000, currency: 'SEK' },
    maxPerInvoice: 1,
    law: '2 § lag (1981:739): påminnelseavgift högst 60 kr, only if agreed when the debt arose',
  },
  collectionDemand: { minDaysToPay: 8, law: '5 § inkassolagen and Integritetsskyddsmyndigheten: a demand gives at least 8 days to pay' },
  payday: { kind: 'day-of-month', day: 25, source: 'country' },
};

/**
 * German Basiszinssatz (§ 247 BGB), published by the Deutsche Bundesbank each 1 January and 1 July.
 * Data, not code: add the next period when it is published. The 2026-01-01 value follows from
 * § 247 BGB (the ECB main refinancing rate did not change in the second half of 2025).
 */
export const GERMAN_BASE_RATES: readonly DatedRate[] = [
  { validFrom: '2023-01-01', validTo: '2023-06-30', rateBps: 162, source: 'Deutsche Bundesbank, Basiszinssatz 1.1.2023' },
  { validFrom: '2023-07-01', validTo: '2023-12-31', rateBps: 312, source: 'Deutsche Bundesbank, Basiszinssatz 1.7.2023' },
  { validFrom: '2024-01-01', validTo: '2024-06-30', rateBps: 362, source: 'Deutsche Bundesbank, Basiszinssatz 1.1.2024' },
  { validFrom: '2024-07-01', validTo: '2024-12-31', rateBps: 337, source: 'Deutsche Bundesbank, Basiszinssatz 1.7.2024' },
  { validFrom: '2025-01-01', validTo: '2025-06-30', rateBps: 227, source: 'Deutsche Bundesbank, Basiszinssatz 1.1.2025' },
  { validFrom: '2025-07-01', validTo: '2025-12-31', rateBps: 127, source: 'Deutsche Bundesbank, Basiszinssatz 1.7.2025' },
  { validFrom: '2026-01-01', validTo: '2026-06-30', rateBps: 127, source: '§ 247 BGB, unchanged ECB reference rate' },
];

export const GERMANY: RulePack = {
  country: 'DE',
  description: 'Germany: §§ 280, 286, 288 BGB (Verzug, Verzugszinsen, Pauschale)',
  reminderFee: {
    kind: 'actual-cost',
    // Courts accept the material cost of a reminder (paper, print, postage), not the creditor's staff time.
    costByChannel: {
      letter: { minor: 150, currency: 'EUR' },
      sms: { minor: 10, currency: 'EUR' },
      email: { minor: 0, currency: 'EUR' },
    },
    onlyOnceInDefault: true,
    law: '§§ 280, 286 BGB: only actual costs, and the reminder that puts the debtor in default is free',
  },
  collectionDemand: { minDaysToPay: 7, law: 'practice: a reasonable period to pay before further steps' },
  defaultInterest: {
    baseRates: GERMAN_BASE_RATES,
    surchargeBps: { consumer: 500, business: 900 },
    law: '§ 288 Abs. 1 und 2 BGB: base rate + 5 pp (consumer) / + 9 pp (business)',
  },
  businessFlatFee: { amount: { minor: 4_000, currency: 'EUR' }, maxPerInvoice: 1, law: '§ 288 Abs. 5 BGB: 40 EUR flat fee, businesses only' },
  payday: { kind: 'last-banking-day', source: 'country' },
};

/** Any other country: no fees, no interest, a generous period to pay. Conservative by design. */
export const CONSERVATIVE_DEFAULT: Omit<RulePack, 'country'> = {
  description: 'No rule pack for this country: no fees, no interest, at least 14 days to pay a demand',
  reminderFee: { kind: 'none', law: 'no rule pack: fees are never charged' },
  collectionDemand: { minDaysToPay: 14, law: 'no rule pack: conservative default' },
  payday: { kind: 'last-banking-day', source: 'country' },
};

const PACKS: ReadonlyMap<string, RulePack> = new Map([SWEDEN, GERMANY].map((pack) => [pack.country, pack]));

export function rulePackFor(country: string): RulePack {
  return PACKS.get(country) ?? { ...CONSERVATIVE_DEFAULT, country };
}

export function baseRateOn(rates: readonly DatedRate[], date: LocalDate): DatedRate | undefined {
  return rates.find((rate) => rate.validFrom <= date && date <= rate.validTo);
}
