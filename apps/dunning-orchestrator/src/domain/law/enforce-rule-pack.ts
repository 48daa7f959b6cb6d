import { computeDefaultInterest } from '@dunning/law';
import { addDays, type LocalDate } from '../time/time';
import type { Channel, Money } from '../money';
import { rulePackFor, type RulePack } from './rule-packs';

/** What a policy step asks to put on an action, before the law has its say. */
export interface RequestedCharges {
  readonly action: 'reminder' | 'handoff';
  readonly channel?: Channel;
  /** The fee the policy asks for, already in the invoice's currency (or none). */
  readonly reminderFee?: Money;
  readonly businessCompensation: boolean;
  readonly defaultInterest: boolean;
  /** Days the customer is given to pay (a collection demand's or a reminder's pay-by date). */
  readonly payWithinDays?: number;
}

export interface ChargeContext {
  readonly country: string;
  readonly customerType: 'consumer' | 'business';
  readonly reminderFeeAgreed: boolean;
  readonly today: LocalDate;
  readonly dueDate: LocalDate;
  readonly outstanding: Money;
  readonly reminderFeesCharged: number;
  readonly compensationsCharged: number;
  /** Reminders already requested after the due date: in Germany the first one puts the debtor in default. */
  readonly overdueRemindersRequested: number;
}

export interface InterestClaim {
  readonly from: LocalDate;
  readonly to: LocalDate;
  readonly amount: Money;
  readonly periods: readonly { readonly from: LocalDate; readonly to: LocalDate; readonly annualRateBps: number; readonly baseRateBps: number }[];
}

/** A change the law made to what the policy asked for, recorded on the decision for transparency. */
export interface RuleAdjustment {
  readonly rule: string;
  readonly effect: 'removed' | 'capped' | 'extended' | 'not-computed';
  readonly detail: string;
}

export interface LawfulCharges {
  readonly reminderFee?: Money;
  readonly businessCompensation?: Money;
  readonly interest?: InterestClaim;
  readonly payBy?: LocalDate;
  readonly adjustments: readonly RuleAdjustment[];
}

/**
 * Applies the customer's country rule pack to what a policy step asks for. The result never
 * exceeds the law, whatever the policy says; every change is listed with the rule that made it.
 */
export function enforceRulePack(requested: RequestedCharges, context: ChargeContext, pack: RulePack = rulePackFor(context.country)): LawfulCharges {
  const adjustments: RuleAdjustment[] = [];
  const overdue = context.today > context.dueDate;
  const reminderFee = lawfulReminderFee(requested, context, pack, overdue, adjustments);
  const businessCompensation = lawfulCompensation(requested, context, pack, overdue, adjustments);
  const interest = lawfulInterest(requested, context, pack, overdue, adjustments);
  const payBy = lawfulPayBy(requested, context, pack, adjustments);
  return {
    ...(reminderFee ? { reminderFee } : {}),
    ...(businessCompensation ? { businessCompensation } : {}),
    ...(interest ? { interest } : {}),
    ...(payBy ? { payBy } : {}),
    adjustments,
  };
}

function lawfulReminderFee(requested: RequestedCharges, context: ChargeContext, pack: RulePack, overdue: boolean, adjustments: RuleAdjustment[]): Money | undefined {
  const fee = requested.reminderFee;
  if (!fee || fee.minor === 0) return undefined;
  const removed = (rule: string, detail: string): undefined => {
    adjustments.push({ rule, effect: 'removed', detail });
    return undefined;
  };
  if (requested.action !== 'reminder') return removed('general.fee-only-on-reminders', 'a reminder fee belongs on a reminder');
  if (!overdue) return removed('general.no-fee-before-overdue', 'no fee on a reminder sent before the invoice is overdue');
  if (fee.currency !== context.outstanding.currency) return removed('general.fee-in-invoice-currency', `fee in ${fee.currency}, invoice in ${context.outstanding.currency}`);
  const rule = pack.reminderFee;
  switch (rule.kind) {
    case 'none':
      return removed(`${pack.country}.reminder-fee.none`, rule.law);
    case 'capped-if-agreed': {
      if (!context.reminderFeeAgreed) return removed(`${pack.country}.reminder-fee.only-if-agreed`, rule.law);
      if (context.reminderFeesCharged >= rule.maxPerInvoice) return removed(`${pack.country}.reminder-fee.max-per-invoice`, `${rule.maxPerInvoice} per invoice already charged`);
      if (fee.currency !== rule.ceiling.currency) return removed(`${pack.country}.reminder-fee.currency`, `ceiling is in ${rule.ceiling.currency}`);
      if (fee.minor > rule.ceiling.minor) {
        adjustments.push({ rule: `${pack.country}.reminder-fee.ceiling`, effect: 'capped', detail: `${fee.minor} capped to ${rule.ceiling.minor} ${rule.ceiling.currency} minor units: ${rule.law}` });
        return rule.ceiling;
      }
      return fee;
    }
    case 'actual-cost': {
      if (rule.onlyOnceInDefault && context.overdueRemindersRequested === 0) {
        return removed(`${pack.country}.reminder-fee.only-in-default`, 'the reminder that puts the debtor in default carries no costs');
      }
      const cost = requested.channel ? rule.costByChannel[requested.channel] : undefined;
      if (!cost || cost.minor === 0 || cost.currency !== fee.currency) return removed(`${pack.country}.reminder-fee.actual-cost`, `no actual cost for this reminder: ${rule.law}`);
      if (fee.minor > cost.minor) {
        adjustments.push({ rule: `${pack.country}.reminder-fee.actual-cost`, effect: 'capped', detail: `${fee.minor} capped to the actual cost ${cost.minor} ${cost.currency} minor units` });
        return cost;
      }
      return fee;
    }
    default: {
      const unknown: never = rule;
      throw new Error(`unknown reminder fee rule ${JSON.stringify(unknown)}`);
    }
  }
}

function lawfulCompensation(requested: RequestedCharges, context: ChargeContext, pack: RulePack, overdue: boolean, adjustments: RuleAdjustment[]): Money | undefined {
  if (!requested.businessCompensation) return undefined;
  const rule = pack.businessFlatFee;
  const removed = (name: string, detail: string): undefined => {
    adjustments.push({ rule: name, effect: 'removed', detail });
    return undefined;
  };
  if (!rule) return removed(`${pack.country}.business-flat-fee.none`, 'no flat recovery fee in this country');
  if (context.customerType !== 'business') return removed(`${pack.country}.business-flat-fee.businesses-only`, rule.law);
  if (!overdue) return removed('general.no-fee-before-overdue', 'no compensation before the invoice is overdue');
  if (context.compensationsCharged >= rule.maxPerInvoice) return removed(`${pack.country}.business-flat-fee.once`, 'already charged for this invoice');
  if (rule.amount.currency !== context.outstanding.currency) return removed(`${pack.country}.business-flat-fee.currency`, `flat fee is in ${rule.amount.currency}`);
  return rule.amount;
}

function lawfulInterest(requested: RequestedCharges, context: ChargeContext, pack: RulePack, overdue: boolean, adjustments: RuleAdjustment[]): InterestClaim | undefined {
  if (!requested.defaultInterest) return undefined;
  const rule = pack.defaultInterest;
  if (!rule) {
    adjustments.push({ rule: `${pack.country}.default-interest.none`, effect: 'not-computed', detail: 'no statutory default interest rule for this country' });
    return undefined;
  }
  if (!overdue) return undefined;
  const surcharge = rule.surchargeBps[context.customerType];
  const from = addDays(context.dueDate, 1);
  // @dunning/law computes it (one base-rate table, one rounding rule: once, half up, at the end).
  const result = computeDefaultInterest({ principal: context.outstanding, from, to: context.today, baseRates: rule.baseRates, surchargeBps: surcharge, law: rule.law });
  if (!result.ok) {
    adjustments.push({ rule: `${pack.country}.default-interest.base-rate-unknown`, effect: 'not-computed', detail: `no base rate known for ${result.date} (asked ${from}..${context.today})` });
    return undefined;
  }
  const { calculation } = result;
  return {
    from,
    to: context.today,
    amount: calculation.amount,
    periods: calculation.segments.map((segment) => ({ from: segment.from, to: segment.to, annualRateBps: segment.rateBps, baseRateBps: segment.baseRateBps })),
  };
}

function lawfulPayBy(requested: RequestedCharges, context: ChargeContext, pack: RulePack, adjustments: RuleAdjustment[]): LocalDate | undefined {
  if (requested.action !== 'handoff') return requested.payWithinDays ? addDays(context.today, requested.payWithinDays) : undefined;
  const minimum = pack.collectionDemand.minDaysToPay;
  const asked = requested.payWithinDays ?? minimum;
  if (asked < minimum) {
    adjustments.push({ rule: `${pack.country}.collection-demand.min-days-to-pay`, effect: 'extended', detail: `${asked} days extended to ${minimum}: ${pack.collectionDemand.law}` });
  }
  return addDays(context.today, Math.max(asked, minimum));
}
