import { addDays, localDateIn, type LocalDate } from './calendar';
import type { InvoiceView } from './invoice-view';
import { add, computeDefaultInterest, money, type InterestCalculation, type Money } from '@dunning/law';
import type { CollectionRules } from './law/country-rules';

/** The creditor as a claim names it: the telecom company, never a person. */
export interface Creditor {
  readonly name: string;
  readonly address: string;
  readonly registrationId: string;
}

export interface ClaimCost {
  readonly kind: 'business-flat-fee';
  readonly amount: Money;
  readonly law: string;
}

/**
 * What is handed to an agency, in whatever channel (file line or API body). Debtor contact details
 * are not part of it: an adapter adds them at delivery from the debtor directory, so they are never
 * stored in this service's events, tables or logs.
 */
export interface AgencyClaim {
  readonly handoffId: string;
  readonly collectionCaseId: string;
  readonly invoiceId: string;
  readonly customerId: string;
  readonly agencyId: string;
  readonly country: string;
  readonly customerType: 'consumer' | 'business';
  readonly issuedAt: string;
  readonly dueDate: LocalDate;
  readonly handedOffOn: LocalDate;
  readonly daysToPay: number;
  readonly payBy: LocalDate;
  readonly principal: Money;
  readonly interest?: InterestCalculation | undefined;
  readonly costs: readonly ClaimCost[];
  readonly total: Money;
  readonly creditor?: Creditor | undefined;
  readonly basisOfClaim?: string | undefined;
  readonly paymentReference?: string | undefined;
  readonly brand?: string | undefined;
  /** The rules of law the claim was built under, for the agency's and an auditor's eyes. */
  readonly legalBasis: readonly string[];
}

export interface ClaimInput {
  readonly handoffId: string;
  readonly collectionCaseId: string;
  readonly view: InvoiceView;
  readonly principal: Money;
  readonly agency: { readonly agencyId: string; readonly daysToPay: number };
  readonly creditor?: Creditor | undefined;
  readonly rules: CollectionRules;
  readonly handoffAt: Date;
}

export type ClaimResult = { readonly ok: true; readonly claim: AgencyClaim } | { readonly ok: false; readonly reason: 'legal-data-missing'; readonly detail: string };

/**
 * Builds the claim under the country's rules: Sweden — the demand gives at least 8 days to pay;
 * Germany — creditor, basis of the claim, default interest from the day after the due date to the
 * hand-off date (base rate + 5/9 pp) and the 40 EUR flat fee for businesses.
 */
export function buildClaim(input: ClaimInput): ClaimResult {
  const { view, rules, principal } = input;
  const handedOffOn = localDateIn(input.handoffAt, view.customer.timeZone);
  const daysToPay = Math.max(input.agency.daysToPay, rules.minDaysToPay);
  const legalBasis: string[] = [rules.daysToPayLaw];

  if (rules.requiresCreditorAndBasis && !input.creditor) {
    return { ok: false, reason: 'legal-data-missing', detail: `a claim in ${rules.country} must name the creditor; none is configured` };
  }

  let interest: InterestCalculation | undefined;
  if (rules.defaultInterest) {
    const firstDay = addDays(view.dueDate, 1);
    if (firstDay <= handedOffOn) {
      const result = computeDefaultInterest({
        principal,
        from: firstDay,
        to: handedOffOn,
        baseRates: rules.defaultInterest.baseRates,
        surchargeBps: rules.defaultInterest.surchargeBps[view.customer.type],
        law: rules.defaultInterest.law,
      });
      if (!result.ok) return { ok: false, reason: 'legal-data-missing', detail: `no base interest rate is on file for ${result.date}` };
      interest = result.calculation;
      legalBasis.push(rules.defaultInterest.law);
    }
  }

  const costs: ClaimCost[] = [];
  const flatFee = rules.businessFlatFee;
  if (flatFee && view.customer.type === 'business' && flatFee.amount.currency === principal.currency) {
    costs.push({ kind: 'business-flat-fee', amount: flatFee.amount, law: flatFee.law });
    legalBasis.push(flatFee.law);
  }

  const total = [interest?.amount, ...costs.map((c) => c.amount)].reduce<Money>((acc, part) => (part ? add(acc, part) : acc), money(principal.minor, principal.currency));
  return {
    ok: true,
    claim: {
      handoffId: input.handoffId,
      collectionCaseId: input.collectionCaseId,
      invoiceId: view.invoiceId,
      customerId: view.customerId,
      agencyId: input.agency.agencyId,
      country: rules.country,
      customerType: view.customer.type,
      issuedAt: view.issuedAt,
      dueDate: view.dueDate,
      handedOffOn,
      daysToPay,
      payBy: addDays(handedOffOn, daysToPay),
      principal,
      interest,
      costs,
      total,
      creditor: input.creditor,
      basisOfClaim: rules.requiresCreditorAndBasis ? basisOfClaim(view) : undefined,
      paymentReference: view.paymentReference,
      brand: view.brand,
      legalBasis,
    },
  };
}

/** The basis of the claim: what was supplied and which invoice asks for it (no personal data). */
function basisOfClaim(view: InvoiceView): string {
  const reference = view.paymentReference ? `, payment reference ${view.paymentReference}` : '';
  return `Telecommunication services${view.brand ? ` (${view.brand})` : ''} billed by invoice ${view.invoiceId} issued ${view.issuedAt.slice(0, 10)}, due ${view.dueDate}${reference}`;
}
