import fc from 'fast-check';
import { churnHazard, churnStimulusMultiplier, dailyFromMonthly, decayedBoost, payHazard, type PayHazardInput } from './behaviour';
import { DEFAULT_CONFIG, HIDDEN_TYPES } from './config';

const base = (overrides: Partial<PayHazardInput> = {}): PayHazardInput => ({
  behaviour: DEFAULT_CONFIG.types.forgetful,
  day: 100,
  plannedDay: undefined,
  lastNoticedReminderDay: undefined,
  lastDemandDay: undefined,
  feeActive: false,
  hasMoneyToday: true,
  customerLeft: false,
  payFactorAfterLeaving: DEFAULT_CONFIG.churn.payFactorAfterLeaving,
  ...overrides,
});

describe('pay hazard', () => {
  it('a reminder never lowers the forgetful type’s pay probability, whatever the day, plan, demand or fee', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
        fc.boolean(),
        fc.boolean(),
        (day, plannedDay, reminderDay, demandDay, feeActive, customerLeft) => {
          const without = payHazard(base({ day, plannedDay, lastDemandDay: demandDay, feeActive, customerLeft }));
          const withReminder = payHazard(base({ day, plannedDay, lastDemandDay: demandDay, feeActive, customerLeft, lastNoticedReminderDay: reminderDay }));
          expect(withReminder).toBeGreaterThanOrEqual(without);
          expect(withReminder).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it('the day after a noticed reminder the forgetful type pays with the peak probability; it fades with the half-life', () => {
    const { peakHazard, halfLifeDays } = DEFAULT_CONFIG.types.forgetful.reminder;
    const spontaneous = DEFAULT_CONFIG.types.forgetful.spontaneousHazard;
    expect(payHazard(base({ lastNoticedReminderDay: 100 }))).toBeCloseTo(spontaneous, 12); // same day: not yet
    expect(payHazard(base({ lastNoticedReminderDay: 99 }))).toBeCloseTo(1 - (1 - spontaneous) * (1 - peakHazard), 12);
    const later = payHazard(base({ lastNoticedReminderDay: 99 - halfLifeDays }));
    expect(later).toBeCloseTo(1 - (1 - spontaneous) * (1 - peakHazard / 2), 12);
    expect(payHazard(base({ lastNoticedReminderDay: 99 }))).toBeGreaterThan(5 * spontaneous);
  });

  it('a planned payment happens on its day; before it only a message can bring it forward', () => {
    expect(payHazard(base({ plannedDay: 100 }))).toBe(1);
    expect(payHazard(base({ plannedDay: 105 }))).toBe(0);
    expect(payHazard(base({ plannedDay: 105, lastNoticedReminderDay: 99 }))).toBeGreaterThan(0.3);
  });

  it('the short-of-money type pays in the cash window, barely outside it; a fee makes it harder', () => {
    const behaviour = DEFAULT_CONFIG.types['short-of-money'];
    const inWindow = payHazard(base({ behaviour, hasMoneyToday: true }));
    const outside = payHazard(base({ behaviour, hasMoneyToday: false }));
    expect(inWindow).toBe(behaviour.payday!.cashWindowHazard);
    expect(outside).toBeLessThan(inWindow / 20);
    expect(payHazard(base({ behaviour, hasMoneyToday: true, feeActive: true }))).toBeLessThan(inWindow);
  });

  it('a demand raises the unwilling type’s probability from nearly nothing', () => {
    const behaviour = DEFAULT_CONFIG.types.unwilling;
    expect(payHazard(base({ behaviour }))).toBeLessThan(0.01);
    expect(payHazard(base({ behaviour, lastDemandDay: 99 }))).toBeGreaterThan(payHazard(base({ behaviour })) * 3);
  });

  it('a customer who left pays at the configured fraction', () => {
    const stays = payHazard(base({ lastNoticedReminderDay: 99 }));
    expect(payHazard(base({ lastNoticedReminderDay: 99, customerLeft: true }))).toBeCloseTo(stays * DEFAULT_CONFIG.churn.payFactorAfterLeaving, 12);
  });

  it('decayedBoost is zero without a stimulus or on its day, and halves every half-life', () => {
    expect(decayedBoost(0.5, 2, undefined)).toBe(0);
    expect(decayedBoost(0.5, 2, 0)).toBe(0);
    expect(decayedBoost(0.5, 2, 1)).toBe(0.5);
    expect(decayedBoost(0.5, 2, 3)).toBeCloseTo(0.25, 12);
  });
});

describe('churn hazard', () => {
  const churn = DEFAULT_CONFIG.churn;
  const input = { churn, customerType: 'consumer' as const, typeMultiplier: 1, day: 500, lastPastDueReminderDay: undefined, lastDemandDay: undefined };
  const baseline = churnHazard(input);

  it('the baseline compounds to the monthly hazard over an average month', () => {
    expect(1 - (1 - baseline) ** (365.25 / 12)).toBeCloseTo(churn.baseMonthlyHazard.consumer, 10);
    expect(dailyFromMonthly(0)).toBe(0);
  });

  it('×2 after a reminder past the due date, ×5 after a collection demand (the stronger wins), for their configured periods', () => {
    expect(churnHazard({ ...input, lastPastDueReminderDay: 499 })).toBeCloseTo(baseline * 2, 15);
    expect(churnHazard({ ...input, lastDemandDay: 499 })).toBeCloseTo(baseline * 5, 15);
    expect(churnHazard({ ...input, lastPastDueReminderDay: 499, lastDemandDay: 450 })).toBeCloseTo(baseline * 5, 15);
    expect(churnHazard({ ...input, lastPastDueReminderDay: 500 - churn.afterPastDueReminder.days - 1 })).toBe(baseline);
    expect(churnHazard({ ...input, lastDemandDay: 500 - churn.afterCollectionDemand.days })).toBeCloseTo(baseline * 5, 15);
    expect(churnHazard({ ...input, lastDemandDay: 500 - churn.afterCollectionDemand.days - 1 })).toBe(baseline);
    expect(churnStimulusMultiplier({ churn, day: 500, lastPastDueReminderDay: 500, lastDemandDay: undefined })).toBe(1); // from the next day on
  });

  it('the type multiplier scales it; unable customers leave more often than reliable ones', () => {
    const of = (type: (typeof HIDDEN_TYPES)[number]) => churnHazard({ ...input, typeMultiplier: DEFAULT_CONFIG.types[type].churnMultiplier });
    expect(of('unable')).toBeGreaterThan(of('reliable') * 2);
  });
});
