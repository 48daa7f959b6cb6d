import { createHash } from 'node:crypto';
import { armForBucket, assignArm, assignmentBucket } from './assignment';
import { chiSquareGoodnessOfFit } from './statistics';
import type { Experiment } from '../policy/policy-schema';

const seedsExperiment: Experiment = {
  id: 'collection-vs-friendly',
  start: '2026-01-01T00:00:00Z',
  end: '2027-01-01T00:00:00Z',
  eligibility: {},
  arms: [
    { id: 'collection-as-before', weight: 1, flow: 'classic-collection', control: true, role: 'collection' },
    { id: 'friendly-sms', weight: 1, flow: 'friendly-sms', role: 'treatment' },
    { id: 'no-action', weight: 1, flow: 'no-action', role: 'no-action' },
  ],
};
const customers = Array.from({ length: 10_000 }, (_, i) => `customer-${i}`);

function armCounts(experiment: Experiment): number[] {
  const counts = experiment.arms.map(() => 0);
  for (const customer of customers) {
    const armId = assignArm(experiment, customer).armId;
    counts[experiment.arms.findIndex((arm) => arm.id === armId)]! += 1;
  }
  return counts;
}

describe('deterministic experiment assignment', () => {
  it('is the first 52 bits of SHA-256(experimentId:customerId) as a fraction', () => {
    const digest = createHash('sha256').update('collection-vs-friendly:customer-42').digest('hex');
    expect(assignmentBucket('collection-vs-friendly', 'customer-42')).toBe(parseInt(digest.slice(0, 13), 16) / 2 ** 52);
  });

  it('is stable: the same customer gets the same arm in a fresh module (a restart) and on every call', () => {
    const before = customers.slice(0, 200).map((customer) => assignArm(seedsExperiment, customer).armId);
    let after: string[] = [];
    jest.isolateModules(() => {
      const fresh = require('./assignment') as typeof import('./assignment');
      after = customers.slice(0, 200).map((customer) => fresh.assignArm(seedsExperiment, customer).armId);
    });
    expect(after).toEqual(before);
    // A regression anchor: this customer's arm must not change between releases.
    expect(assignArm(seedsExperiment, 'customer-42').armId).toBe(before[42]);
  });

  it('balances three equal arms over 10 000 customers (chi-square goodness of fit)', () => {
    const counts = armCounts(seedsExperiment);
    const test = chiSquareGoodnessOfFit(counts, [1, 1, 1]);
    expect(test.degreesOfFreedom).toBe(2);
    expect(test.pValue).toBeGreaterThan(0.01);
    for (const count of counts) expect(Math.abs(count - 10_000 / 3)).toBeLessThan(200);
  });

  it('honours unequal weights 2:1:1', () => {
    const weighted = { ...seedsExperiment, arms: seedsExperiment.arms.map((arm, i) => ({ ...arm, weight: i === 0 ? 2 : 1 })) };
    const counts = armCounts(weighted);
    expect(chiSquareGoodnessOfFit(counts, [2, 1, 1]).pValue).toBeGreaterThan(0.01);
    // The same data is far from an equal split: the test can fail.
    expect(chiSquareGoodnessOfFit(counts, [1, 1, 1]).pValue).toBeLessThan(1e-6);
  });

  it('assigns independently across experiments', () => {
    const other = { ...seedsExperiment, id: 'another-experiment' };
    const same = customers.filter((customer) => assignArm(seedsExperiment, customer).armId === assignArm(other, customer).armId).length;
    // Independent thirds agree on about a third of the customers.
    expect(Math.abs(same / customers.length - 1 / 3)).toBeLessThan(0.03);
  });

  it('maps buckets onto cumulative weights', () => {
    const arms = [{ id: 'a', weight: 1 }, { id: 'b', weight: 3 }];
    expect(armForBucket(arms, 0).id).toBe('a');
    expect(armForBucket(arms, 0.2499).id).toBe('a');
    expect(armForBucket(arms, 0.25).id).toBe('b');
    expect(armForBucket(arms, 0.9999).id).toBe('b');
  });

  it('an arm with flow by-segment keeps the flow of the case\'s segment and says so; an arm with a flow prescribes it', () => {
    const mlVsCollection: Experiment = {
      id: 'ml-vs-collection',
      start: '2026-05-01T00:00:00Z',
      end: '2027-01-01T00:00:00Z',
      eligibility: {},
      arms: [
        { id: 'collection-as-before', weight: 1, flow: 'classic-collection', control: true, role: 'collection' },
        { id: 'ml-policy', weight: 1, flow: 'by-segment', role: 'treatment' },
      ],
    };
    const segment = { segmentId: 'collection-helps', flowId: 'firm' };
    const inArm = (armId: string) => customers.find((customer) => assignArm(mlVsCollection, customer, segment).armId === armId)!;
    const ml = assignArm(mlVsCollection, inArm('ml-policy'), segment);
    expect(ml).toMatchObject({ armId: 'ml-policy', flowId: 'firm', flowChosenBy: 'segment', control: false });
    expect(ml.reasons[1]).toBe('arm ml-policy keeps the flow of segment collection-helps: firm');
    const control = assignArm(mlVsCollection, inArm('collection-as-before'), segment);
    expect(control).toMatchObject({ armId: 'collection-as-before', flowId: 'classic-collection', flowChosenBy: 'arm', control: true });
    expect(control.reasons[1]).toBe('arm collection-as-before prescribes flow classic-collection');
    expect(() => assignArm(mlVsCollection, inArm('ml-policy'))).toThrow(/has no segment/);
  });
});
