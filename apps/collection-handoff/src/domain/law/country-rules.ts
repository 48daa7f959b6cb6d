import type { LocalDate } from '../calendar';
import type { Money } from '../money';

/** A rate that applies between two dates (both inclusive), in basis points (1 % = 100 bps). */
export interface DatedRate {
  readonly validFrom: LocalDate;
  readonly validTo: LocalDate;
  readonly rateBps: number;
  readonly source: string;
}

/**
 * What a collection hand-off must carry and respect in one country: rules of law as data
 * (promise 8). The claim builder reads them; nothing about a country is written in code.
 */
export interface CollectionRules {
  readonly country: string;
  /** The collection demand gives the debtor at least this many days to pay. */
  readonly minDaysToPay: number;
  readonly daysToPayLaw: string;
  /** The claim must name the creditor and the basis of the claim. */
  readonly requiresCreditorAndBasis: boolean;
  /** Statutory default interest: base rate + surcharge by customer type, simple interest on the principal. */
  readonly defaultInterest?: {
    readonly baseRates: readonly DatedRate[];
    readonly surchargeBps: { readonly consumer: number; readonly business: number };
    /** Days in the year the rate is divided by (actual days elapsed / 365). */
    readonly dayCountBasis: 365;
    readonly law: string;
  };
  /** A flat compensation for recovery costs that only businesses owe. */
  readonly businessFlatFee?: { readonly amount: Money; readonly law: string };
}

/**
 * Basiszinssatz (§ 247 BGB), published by the Deutsche Bundesbank each 1 January and 1 July. Data,
 * not code: add the next half-year when it is published. A claim whose interest period reaches past
 * the last entry is not handed off (reason legal-data-missing) rather than computed with a guess.
 */
export const GERMAN_BASE_RATES: readonly DatedRate[] = [
  { validFrom: '2023-01-01', validTo: '2023-06-30', rateBps: 162, source: 'Deutsche Bundesbank, Basiszinssatz 1.1.2023' },
  { validFrom: '2023-07-01', validTo: '2023-12-31', rateBps: 312, source: 'Deutsche Bundesbank, Basiszinssatz 1.7.2023' },
  { validFrom: '2024-01-01', validTo: '2024-06-30', rateBps: 362, source: 'Deutsche Bundesbank, Basiszinssatz 1.1.2024' },
  { validFrom: '2024-07-01', validTo: '2024-12-31', rateBps: 337, source: 'Deutsche Bundesbank, Basiszinssatz 1.7.2024' },
  { validFrom: '2025-01-01', validTo: '2025-06-30', rateBps: 227, source: 'Deutsche Bundesbank, Basiszinssatz 1.1.2025' },
  { validFrom: '2025-07-01', validTo: '2025-12-31', rateBps: 127, source: 'Deutsche Bundesbank, Basiszinssatz 1.7.2025' },
  { validFrom: '2026-01-01', validTo: '2026-06-30', rateBps: 127, source: 'Deutsche Bundesbank, Basiszinssatz 1.1.2026' },
];

export const SWEDEN: CollectionRules = {
  country: 'SE',
  minDaysToPay: 8,
  daysToPayLaw: 'Inkassolagen (1974:182) 5 § and IMY practice: a collection demand gives at least 8 days to pay',
  requiresCreditorAndBasis: false,
};

export const GERMANY: CollectionRules = {
  country: 'DE',
  minDaysToPay: 0,
  daysToPayLaw: 'no statutory minimum; the agency configuration applies',
  requiresCreditorAndBasis: true,
  defaultInterest: {
    baseRates: GERMAN_BASE_RATES,
    surchargeBps: { consumer: 500, business: 900 },
    dayCountBasis: 365,
    law: '§ 288 Abs. 1 und 2 BGB: Basiszinssatz (§ 247 BGB) + 5 Prozentpunkte (Verbraucher) / + 9 Prozentpunkte (Unternehmer)',
  },
  businessFlatFee: { amount: { minor: 4_000, currency: 'EUR' }, law: '§ 288 Abs. 5 BGB: Pauschale von 40 Euro, nur gegenüber Unternehmern' },
};

/** Any other country: no interest, no fees, a generous period to pay. Conservative by design. */
export const CONSERVATIVE_DEFAULT: Omit<CollectionRules, 'country'> = {
  minDaysToPay: 14,
  daysToPayLaw: 'no rule pack for this country: conservative default of 14 days',
  requiresCreditorAndBasis: true,
};

const RULES: ReadonlyMap<string, CollectionRules> = new Map([SWEDEN, GERMANY].map((rules) => [rules.country, rules]));

export function collectionRulesFor(country: string | undefined): CollectionRules {
  const known = country === undefined ? undefined : RULES.get(country);
  return known ?? { ...CONSERVATIVE_DEFAULT, country: country ?? 'unknown' };
}
