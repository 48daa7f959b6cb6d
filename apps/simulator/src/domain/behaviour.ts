import type { EpochDay } from './calendar';
import type { ChurnConfig, CustomerType, TypeBehaviour } from './config';

// The behaviour model as small pure functions: how likely a customer pays an open invoice today, and
// how likely they leave. The simulation (simulation.ts) rolls keyed dice against these numbers.

/** The probability added by a stimulus `daysSince` days after it arrived (0 on the day itself: people react the next day). */
export function decayedBoost(peakHazard: number, halfLifeDays: number, daysSince: number | undefined): number {
  if (daysSince === undefined || daysSince < 1) return 0;
  return peakHazard * 0.5 ** ((daysSince - 1) / halfLifeDays);
}

/** Combines independent daily chances: the chance that at least one of them happens. */
export function anyOf(...probabilities: readonly number[]): number {
  return 1 - probabilities.reduce((none, p) => none * (1 - clamp01(p)), 1);
}

export function clamp01(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value;
}

export interface PayHazardInput {
  readonly behaviour: TypeBehaviour;
  readonly day: EpochDay;
  /** The day the customer planned to pay this invoice on (types not bound to payday); undefined when off plan. */
  readonly plannedDay: EpochDay | undefined;
  /** The last day the customer noticed a reminder about this invoice. */
  readonly lastNoticedReminderDay: EpochDay | undefined;
  /** The last day a collection demand about this invoice arrived. */
  readonly lastDemandDay: EpochDay | undefined;
  /** A reminder fee is on the invoice (as far as the customer knows). */
  readonly feeActive: boolean;
  /** Payday-bound types: today lies in the days of money after a payday, and the money suffices this month. */
  readonly hasMoneyToday: boolean;
  readonly customerLeft: boolean;
  readonly payFactorAfterLeaving: number;
}

/** The chance that the customer pays this open invoice today. */
export function payHazard(input: PayHazardInput): number {
  const { behaviour: b, day } = input;
  const reminder = decayedBoost(b.reminder.peakHazard, b.reminder.halfLifeDays, since(day, input.lastNoticedReminderDay));
  const demand = decayedBoost(b.collectionDemand.peakHazard, b.collectionDemand.halfLifeDays, since(day, input.lastDemandDay));
  let hazard: number;
  if (b.payday) {
    // Payday-bound: bills are paid when the salary arrives, if it suffices; messages help only when there is money.
    const base = input.hasMoneyToday ? b.payday.cashWindowHazard : b.spontaneousHazard;
    hazard = anyOf(base, reminder, demand) * (input.hasMoneyToday ? 1 : b.payday.outsideWindowFactor);
  } else if (input.plannedDay !== undefined && day >= input.plannedDay) {
    hazard = 1; // the planned day: paid (a plan is kept; a planned day cannot lie in the past otherwise)
  } else if (input.plannedDay !== undefined) {
    hazard = anyOf(reminder, demand); // waiting for the planned day; a message can only bring it forward
  } else {
    hazard = anyOf(b.spontaneousHazard, reminder, demand);
  }
  if (input.feeActive) hazard *= b.feeHazardMultiplier;
  if (input.customerLeft) hazard *= input.payFactorAfterLeaving;
  return clamp01(hazard);
}

export interface ChurnHazardInput {
  readonly churn: ChurnConfig;
  readonly customerType: CustomerType;
  readonly typeMultiplier: number;
  readonly day: EpochDay;
  readonly lastPastDueReminderDay: EpochDay | undefined;
  readonly lastDemandDay: EpochDay | undefined;
}

/** The stimulus multiplier in force today: the strongest of the recent ones (they do not compound). */
export function churnStimulusMultiplier(input: Omit<ChurnHazardInput, 'customerType' | 'typeMultiplier'>): number {
  const { churn, day } = input;
  let multiplier = 1;
  const reminderSince = since(day, input.lastPastDueReminderDay);
  if (reminderSince !== undefined && reminderSince >= 1 && reminderSince <= churn.afterPastDueReminder.days) {
    multiplier = Math.max(multiplier, churn.afterPastDueReminder.multiplier);
  }
  const demandSince = since(day, input.lastDemandDay);
  if (demandSince !== undefined && demandSince >= 1 && demandSince <= churn.afterCollectionDemand.days) {
    multiplier = Math.max(multiplier, churn.afterCollectionDemand.multiplier);
  }
  return multiplier;
}

const DAYS_PER_MONTH = 365.25 / 12;

/** The chance the customer leaves today: the baseline daily hazard times the type's and the stimulus' multipliers. */
export function churnHazard(input: ChurnHazardInput): number {
  const daily = dailyFromMonthly(input.churn.baseMonthlyHazard[input.customerType]);
  return clamp01(daily * input.typeMultiplier * churnStimulusMultiplier(input));
}

const dailyCache = new Map<number, number>();

/** A monthly probability as a daily one: the daily chance that compounds to it over an average month. */
export function dailyFromMonthly(monthly: number): number {
  let daily = dailyCache.get(monthly);
  if (daily === undefined) {
    daily = 1 - (1 - monthly) ** (1 / DAYS_PER_MONTH);
    dailyCache.set(monthly, daily);
  }
  return daily;
}

function since(day: EpochDay, event: EpochDay | undefined): number | undefined {
  return event === undefined ? undefined : day - event;
}
