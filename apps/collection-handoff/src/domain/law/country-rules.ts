import { CONSERVATIVE_LAW, GERMAN_LAW, SWEDISH_LAW, type CountryLaw, type Money } from '@dunning/law';

/**
 * What a collection hand-off must carry and respect in one country. The law itself (days to pay,
 * default interest, the business flat fee, the German base rates) comes from @dunning/law, the one
 * place the platform keeps it (promise 8); this adds only what an agency claim needs besides.
 */
export interface CollectionRules {
  readonly country: string;
  /** The collection demand gives the debtor at least this many days to pay. */
  readonly minDaysToPay: number;
  readonly daysToPayLaw: string;
  /** The claim must name the creditor and the basis of the claim. */
  readonly requiresCreditorAndBasis: boolean;
  /** Statutory default interest: base rate + surcharge by customer type, simple interest on the principal. */
  readonly defaultInterest?: CountryLaw['defaultInterest'];
  /** A flat compensation for recovery costs that only businesses owe. */
  readonly businessFlatFee?: { readonly amount: Money; readonly law: string };
}

function collectionRules(law: Omit<CountryLaw, 'country'> & { readonly country: string }, requiresCreditorAndBasis: boolean): CollectionRules {
  return {
    country: law.country,
    minDaysToPay: law.collectionDemand.minDaysToPay,
    daysToPayLaw: law.collectionDemand.law,
    requiresCreditorAndBasis,
    ...(law.defaultInterest ? { defaultInterest: law.defaultInterest } : {}),
    ...(law.businessFlatFee ? { businessFlatFee: { amount: law.businessFlatFee.amount, law: law.businessFlatFee.law } } : {}),
  };
}

export const SWEDEN: CollectionRules = collectionRules(SWEDISH_LAW, false);

/** A German claim names the creditor and the basis of the claim; at least 7 days to pay (the platform floor in @dunning/law: German law sets none). */
export const GERMANY: CollectionRules = collectionRules(GERMAN_LAW, true);

const RULES: ReadonlyMap<string, CollectionRules> = new Map([SWEDEN, GERMANY].map((rules) => [rules.country, rules]));

/** Any other country: no interest, no fees, a generous period to pay, creditor and basis named. Conservative by design. */
export function collectionRulesFor(country: string | undefined): CollectionRules {
  const known = country === undefined ? undefined : RULES.get(country);
  return known ?? collectionRules({ ...CONSERVATIVE_LAW, country: country ?? 'unknown' }, true);
}
