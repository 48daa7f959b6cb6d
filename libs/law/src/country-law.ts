import { GERMAN_BASE_RATES, type DatedRate } from './german-base-rates';
import type { Money } from './money';

/** What the law allows as a reminder fee. */
export type ReminderFeeLimit =
  /** A fee up to a ceiling, and only if the customer's contract agreed to it (Sweden). */
  | { readonly kind: 'capped-if-agreed'; readonly ceiling: Money; readonly maxPerInvoice: number; readonly law: string }
  /** Only the creditor's actual costs, and the reminder that puts the debtor in default is free (Germany). */
  | { readonly kind: 'actual-cost'; readonly onlyOnceInDefault: boolean; readonly law: string }
  /** No reminder fee at all (countries without rules here: the safe default). */
  | { readonly kind: 'none'; readonly law: string };

export type CustomerType = 'consumer' | 'business';

/**
 * The statutory limits of one country, as data (DESIGN.md promise 8). Services apply them as hard
 * limits after their own policy: whatever a policy or an agency configuration asks for, a reminder
 * or a claim never exceeds them. Nothing about a country is written in code elsewhere.
 */
export interface CountryLaw {
  readonly country: string;
  readonly description: string;
  readonly reminderFee: ReminderFeeLimit;
  /**
   * A collection demand gives the debtor at least this many days to pay, counted from the day it is
   * sent. `basis` says where the number comes from: a statute, or this platform's own floor where the
   * law sets none (docs/law.md says why each floor is what it is). Every service reads this one value.
   */
  readonly collectionDemand: { readonly minDaysToPay: number; readonly basis: 'statute' | 'platform-floor'; readonly law: string };
  /** Statutory default interest: base rate + a surcharge by customer type, simple interest on the principal. */
  readonly defaultInterest?: {
    readonly baseRates: readonly DatedRate[];
    readonly surchargeBps: Readonly<Record<CustomerType, number>>;
    /** Actual days elapsed / 365. */
    readonly dayCountBasis: 365;
    readonly law: string;
    /** The short reference a message to the customer names (e.g. `§ 288 BGB`). */
    readonly citation: string;
  };
  /** A flat compensation for recovery costs that only businesses owe. */
  readonly businessFlatFee?: { readonly amount: Money; readonly maxPerInvoice: number; readonly law: string };
}

export const SWEDISH_LAW: CountryLaw = {
  country: 'SE',
  description: 'Sweden: lag (1981:739) om ersättning för inkassokostnader m.m. and inkassolagen (1974:182)',
  reminderFee: {
    kind: 'capped-if-agreed',
    ceiling: { minor: 6_000, currency: 'SEK' },
    maxPerInvoice: 1,
    law: '2 § lag (1981:739): påminnelseavgift högst 60 kr, only if agreed when the debt arose',
  },
  collectionDemand: { minDaysToPay: 8, basis: 'statute', law: '5 § inkassolagen (1974:182) and IMY practice: a collection demand gives at least 8 days to pay' },
};

export const GERMAN_LAW: CountryLaw = {
  country: 'DE',
  description: 'Germany: §§ 247, 280, 286, 288 BGB (Basiszinssatz, Verzug, Verzugszinsen, Pauschale)',
  reminderFee: {
    kind: 'actual-cost',
    onlyOnceInDefault: true,
    law: '§§ 280, 286 BGB: only actual costs, and the reminder that puts the debtor in default is free',
  },
  // German law sets no minimum period for a collection demand (the debtor is already in default,
  // § 286 BGB); 7 days is this platform's floor, one value for the orchestrator, collection-handoff
  // and the notifier (the reasons: docs/law.md).
  collectionDemand: {
    minDaysToPay: 7,
    basis: 'platform-floor',
    law: 'no statutory minimum period in German law (the debtor is already in default, § 286 BGB); platform floor of 7 days to pay',
  },
  defaultInterest: {
    baseRates: GERMAN_BASE_RATES,
    surchargeBps: { consumer: 500, business: 900 },
    dayCountBasis: 365,
    law: '§ 288 Abs. 1 und 2 BGB: Basiszinssatz (§ 247 BGB) + 5 Prozentpunkte (Verbraucher) / + 9 Prozentpunkte (Unternehmer)',
    citation: '§ 288 BGB',
  },
  businessFlatFee: { amount: { minor: 4_000, currency: 'EUR' }, maxPerInvoice: 1, law: '§ 288 Abs. 5 BGB: Pauschale von 40 Euro, nur gegenüber Unternehmern' },
};

/** Any other country: no fees, no interest, a generous period to pay. Conservative by design. */
export const CONSERVATIVE_LAW: Omit<CountryLaw, 'country'> = {
  description: 'No rules on file for this country: no fees, no interest, at least 14 days to pay a demand',
  reminderFee: { kind: 'none', law: 'no rules on file for this country: fees are never charged' },
  collectionDemand: { minDaysToPay: 14, basis: 'platform-floor', law: 'no rules on file for this country: conservative default of 14 days' },
};

const LAWS: ReadonlyMap<string, CountryLaw> = new Map([SWEDISH_LAW, GERMAN_LAW].map((law) => [law.country, law]));

/** The rules on file for a country, or `undefined` — callers choose CONSERVATIVE_LAW then. */
export function knownCountryLaw(country: string | undefined): CountryLaw | undefined {
  return country === undefined ? undefined : LAWS.get(country);
}

/** The country's rules, falling back to the conservative default for a country with none on file. */
export function countryLawFor(country: string | undefined): CountryLaw {
  return knownCountryLaw(country) ?? { ...CONSERVATIVE_LAW, country: country ?? 'unknown' };
}
