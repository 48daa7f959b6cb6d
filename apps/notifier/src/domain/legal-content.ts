import type { LocalDate } from './dates';

/**
 * What the law of a country asks a reminder's text to contain, as data (DESIGN.md promise 8).
 * The orchestrator decides fees and periods under its rule packs; the notifier makes sure the
 * message then says what it must: how long the customer has to pay, which costs and interest apply.
 */
export interface ContentRules {
  readonly country: string;
  /** A collection demand gives at least this many days to pay, counted from the day it is sent. */
  readonly collectionDemand?: { readonly minDaysToPay: number; readonly law: string };
  /** Statutory default interest that a text stating costs must name. */
  readonly defaultInterest?: { readonly surchargePoints: { readonly consumer: number; readonly business: number }; readonly law: string };
}

export const CONTENT_RULES: Readonly<Record<string, ContentRules>> = {
  SE: {
    country: 'SE',
    collectionDemand: { minDaysToPay: 8, law: 'inkassolagen (1974:182) 5 §: at least 8 days to pay' },
  },
  DE: {
    country: 'DE',
    defaultInterest: { surchargePoints: { consumer: 5, business: 9 }, law: '§ 288 BGB' },
  },
};

export function contentRulesFor(country: string | undefined): ContentRules | undefined {
  return country ? CONTENT_RULES[country] : undefined;
}

export type Language = 'sv' | 'de' | 'en';

/** The sentence that names statutory default interest, in the message's language. */
export function interestStatement(language: Language, points: number, since: string, law: string): string {
  switch (language) {
    case 'sv':
      return `Från och med ${since} löper dröjsmålsränta med ${points} procentenheter över referensräntan (${law}).`;
    case 'de':
      return `Seit dem ${since} fallen Verzugszinsen in Höhe von ${points} Prozentpunkten über dem Basiszinssatz an (${law}).`;
    case 'en':
      return `From ${since}, default interest of ${points} percentage points above the base rate accrues on the amount outstanding (${law}).`;
    default: {
      const unknown: never = language;
      throw new Error(`no interest statement for language ${String(unknown)}`);
    }
  }
}

export interface InterestFacts {
  readonly points: number;
  readonly sinceDate: LocalDate;
  readonly law: string;
}
