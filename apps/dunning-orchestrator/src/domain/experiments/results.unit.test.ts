import { experimentResults, type ArmDefinition, type CaseOutcome } from './results';
import { addDaysToInstant } from '../time/time';

const arms: ArmDefinition[] = [
  { id: 'collection', flow: 'classic-collection', control: true, role: 'collection' },
  { id: 'friendly', flow: 'friendly-sms', role: 'treatment' },
  { id: 'no-action', flow: 'no-action', role: 'no-action' },
];
const assignedAt = '2026-01-05T10:00:00.000Z';
const asOf = '2026-06-01T00:00:00.000Z';
const sek = (minor: number) => ({ minor, currency: 'SEK' });

interface Shape {
  count: number;
  paidAfterDays?: number;
  handedOffAfterDays?: number;
  churnAfterDays?: number;
  contacts?: number;
}

function outcomes(armId: string, shapes: Shape[]): CaseOutcome[] {
  let n = 0;
  return shapes.flatMap((shape) =>
    Array.from({ length: shape.count }, () => ({
      caseId: `${armId}-${n++}`,
      armId,
      assignedAt,
      outstandingAtAssignment: sek(50_000),
      ...(shape.paidAfterDays !== undefined ? { paidInFullAt: addDaysToInstant(assignedAt, shape.paidAfterDays) } : {}),
      recovered: sek(shape.paidAfterDays !== undefined ? 50_000 : 0),
      ...(shape.handedOffAfterDays !== undefined ? { handedOffAt: addDaysToInstant(assignedAt, shape.handedOffAfterDays) } : {}),
      ...(shape.churnAfterDays !== undefined ? { terminatedAt: addDaysToInstant(assignedAt, shape.churnAfterDays) } : {}),
      contacts: shape.contacts ?? 0,
    })),
  );
}

// Hand-made fixture, 100 cases per arm:
// collection: 10 pay before the demand (day 10), 40 handed off on day 20 and pay on day 25, 50 handed off and never pay; 10 churn.
// friendly:   45 pay on day 12, 10 more on day 40; 5 churn; 3 contacts each.
// no-action:  40 pay on day 20; 5 churn.
const data = [
  ...outcomes('collection', [
    { count: 10, paidAfterDays: 10, contacts: 1 },
    { count: 40, handedOffAfterDays: 20, paidAfterDays: 25, contacts: 2 },
    { count: 40, handedOffAfterDays: 20, contacts: 2 },
    { count: 10, handedOffAfterDays: 20, churnAfterDays: 60, contacts: 2 },
  ]),
  ...outcomes('friendly', [
    { count: 45, paidAfterDays: 12, contacts: 3 },
    { count: 10, paidAfterDays: 40, contacts: 3 },
    { count: 40, contacts: 3 },
    { count: 5, churnAfterDays: 30, contacts: 3 },
  ]),
  ...outcomes('no-action', [{ count: 40, paidAfterDays: 20 }, { count: 55 }, { count: 5, churnAfterDays: 80 }]),
];

describe('experiment results', () => {
  const results = experimentResults('collection-vs-friendly', arms, data, asOf);
  const arm = (id: string) => results.arms.find((a) => a.armId === id)!;

  it('counts cases, paid rates per window, recovery, hand-offs, churn and contacts per arm', () => {
    const collection = arm('collection');
    expect(collection.cases).toBe(100);
    expect(collection.paidWithin['14']).toMatchObject({ eligible: 100, count: 10, rate: 0.1 });
    expect(collection.paidWithin['30']).toMatchObject({ count: 50, rate: 0.5 });
    expect(collection.amountRecovered).toEqual({ SEK: 50 * 50_000 });
    expect(collection.handoff).toMatchObject({ count: 90, rate: 0.9 });
    expect(collection.churnWithin90).toMatchObject({ count: 10, rate: 0.1 });
    expect(collection.contactsPerCase).toBeCloseTo(1.9, 10);

    const friendly = arm('friendly');
    expect(friendly.paidWithin['14'].rate).toBe(0.45);
    expect(friendly.paidWithin['30'].rate).toBe(0.45);
    expect(friendly.paidWithin['60'].rate).toBe(0.55);
    expect(friendly.handoff.rate).toBe(0);
    expect(friendly.contactsPerCase).toBe(3);
  });

  it('compares each arm with control: no-action pays less in 30 days (40 % vs 50 %) and churns half as much', () => {
    const noAction = arm('no-action');
    expect(arm('collection').vsControl).toBeUndefined();
    const paid30 = noAction.vsControl!.paidWithin['30']!;
    // pooled 0.45: SE = sqrt(0.45·0.55·0.02) = 0.070356; z = -0.1 / 0.070356 = -1.4213; p = 0.1552.
    expect(paid30.difference).toBeCloseTo(-0.1, 10);
    expect(paid30.z).toBeCloseTo(-1.4213, 3);
    expect(paid30.pValue).toBeCloseTo(0.1552, 3);
    expect(noAction.vsControl!.churnWithin90!.difference).toBeCloseTo(-0.05, 10);
    // Wilson interval of the 40 % paid rate.
    expect(noAction.paidWithin['30'].ci95!.low).toBeCloseTo(0.3094, 3);
    expect(noAction.paidWithin['30'].ci95!.high).toBeCloseTo(0.4980, 3);
  });

  it('estimates the share of post-demand payers who would have paid anyway', () => {
    const estimate = results.wouldHavePaidAnyway!;
    expect(estimate.inputs).toEqual({ noActionPaid: 40, noActionCases: 100, paidBeforeDemand: 10, paidAfterDemand: 40, collectionCases: 100 });
    // (p0 - a) / q = (0.40 - 0.10) / 0.40 = 0.75.
    // Var = 0.24/100/0.16 + 0.09/100/0.16 + 0.09·0.24/100/0.0256 - 2·0.1·0.3/(0.16·100) = 0.0253125; half-width 1.96·0.159099 = 0.31183.
    expect(estimate.shareOfPostDemandPayers!.estimate).toBeCloseTo(0.75, 10);
    expect(estimate.shareOfPostDemandPayers!.ci95.low).toBeCloseTo(0.4382, 3);
    expect(estimate.shareOfPostDemandPayers!.ci95.high).toBe(1);
    // p0 / pc = 0.40 / 0.50 = 0.8 with the Katz interval [0.5868, 1.0906].
    expect(estimate.paidRateRatio!.estimate).toBeCloseTo(0.8, 10);
    expect(estimate.paidRateRatio!.ci95.low).toBeCloseTo(0.5868, 3);
  });

  it('leaves cases out of a window that has not passed yet', () => {
    const early = experimentResults('collection-vs-friendly', arms, data, addDaysToInstant(assignedAt, 20));
    expect(early.arms[0]!.paidWithin['14'].eligible).toBe(100);
    expect(early.arms[0]!.paidWithin['30']).toMatchObject({ eligible: 0, rate: null, ci95: null });
    expect(early.wouldHavePaidAnyway!.shareOfPostDemandPayers).toBeNull();
  });
});
