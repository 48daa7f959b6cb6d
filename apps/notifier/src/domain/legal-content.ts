import { knownCountryLaw, type CountryLaw } from '@dunning/law';
import type { LocalDate } from './dates';
import type { Money } from './money';

/**
 * What the law of a country asks a reminder's text to contain (DESIGN.md promise 8). The rules
 * themselves live once, in `@dunning/law` (the same data the orchestrator and collection-handoff
 * apply); this is the notifier's view of them: the orchestrator decides fees and periods, the
 * notifier makes sure the message then says what it must: how long the customer has to pay, which
 * costs and interest apply.
 */
export interface ContentRules {
  readonly country: string;
  /** A collection demand gives at least this many days to pay, counted from the day it is sent. */
  readonly collectionDemand?: { readonly minDaysToPay: number; readonly law: string };
  /** Statutory default interest that a text stating costs must name (`law`: the citation the text names). */
  readonly defaultInterest?: { readonly surchargePoints: { readonly consumer: number; readonly business: number }; readonly law: string };
}

/** The content rules of one country's law, as `@dunning/law` holds it. */
export function contentRulesOf(law: CountryLaw): ContentRules {
  const interest = law.defaultInterest;
  return {
    country: law.country,
    ...(law.collectionDemand.minDaysToPay > 0 ? { collectionDemand: { minDaysToPay: law.collectionDemand.minDaysToPay, law: law.collectionDemand.law } } : {}),
    ...(interest
      ? { defaultInterest: { surchargePoints: { consumer: interest.surchargeBps.consumer / 100, business: interest.surchargeBps.business / 100 }, law: interest.citation } }
      : {}),
  };
}

/**
 * The country whose rules apply: the postal address's, else the region of the locale (as the
 * orchestrator decides fees and interest), so a customer without an address on file gets the same
 * country in the decision and in its message.
 */
export function countryOf(addressCountry: string | undefined, locale: string): string | undefined {
  if (addressCountry) return addressCountry;
  try {
    return new Intl.Locale(locale).maximize().region;
  } catch {
    return undefined;
  }
}

/**
 * The content rules for a country with rules on file in `@dunning/law` (Sweden, Germany), else none:
 * a message to another country states no statutory period or interest.
 */
export function contentRulesFor(country: string | undefined): ContentRules | undefined {
  const law = knownCountryLaw(country);
  return law ? contentRulesOf(law) : undefined;
}

export type Language = 'sv' | 'de' | 'en';

/**
 * The sentence that names statutory default interest, in the message's language; with the amount
 * accrued so far when the decision computed it. `points`, `since`, `until` and `amount` arrive
 * formatted for the customer's locale.
 */
export function interestStatement(language: Language, points: string, since: string, law: string, accrued?: { readonly amount: string; readonly until: string }): string {
  switch (language) {
    case 'sv':
      return `Från och med ${since} löper dröjsmålsränta med ${points} procentenheter över referensräntan (${law}).${accrued ? ` Till och med ${accrued.until} uppgår räntan till ${accrued.amount}.` : ''}`;
    case 'de':
      return `Seit dem ${since} fallen Verzugszinsen in Höhe von ${points} Prozentpunkten über dem Basiszinssatz an (${law}).${accrued ? ` Bis zum ${accrued.until} sind ${accrued.amount} Zinsen aufgelaufen.` : ''}`;
    case 'en':
      return `From ${since}, default interest of ${points} percentage points above the base rate accrues on the amount outstanding (${law}).${accrued ? ` Interest accrued up to ${accrued.until}: ${accrued.amount}.` : ''}`;
    default: {
      const unknown: never = language;
      throw new Error(`no interest statement for language ${String(unknown)}`);
    }
  }
}

export interface InterestFacts {
  /** Percentage points over the base rate (the decision's, else the country's rule). */
  readonly points: number;
  readonly sinceDate: LocalDate;
  readonly law: string;
  /** Interest the decision computed up to a day, when it did (in the invoice's currency). */
  readonly accrued?: { readonly amount: Money; readonly until: LocalDate };
}

/**
 * Statutory default interest as the orchestrator's decision computed it (dunning.reminder.requested.v1
 * `interest`): simple interest from..to, with the rate of each period.
 */
export interface DefaultInterestClaim {
  readonly from: LocalDate;
  readonly to: LocalDate;
  readonly amount: Money;
  readonly periods: readonly { readonly from: LocalDate; readonly to: LocalDate; readonly annualRateBps: number; readonly baseRateBps: number }[];
}
