import { trainGradientBoosting } from '../gradient-boosting/gradient-boosting';
import { deserializeAnyUpliftModel } from '../model-serialization';
import { syntheticExperiment, syntheticUplift } from '../testing/synthetic-data';
import { AveragedUpliftModel } from './averaged-uplift';
import { bootstrapExperiment, trainBaggedUplift } from './bagged-uplift';
import { trainTwoModelUplift } from './two-model-uplift';
import type { ExperimentData } from './uplift-model';

describe('bootstrapExperiment', () => {
  // Ten rows with one feature equal to the row index, so each drawn row names its origin.
  const data: ExperimentData = {
    features: { featureNames: ['row'], rowCount: 10, values: Float64Array.from({ length: 10 }, (_, i) => i) },
    outcomes: Uint8Array.from([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]),
    arms: ['control', 'control', 'control', 'control', 'mail', 'mail', 'mail', 'mail', 'mail', 'mail'],
  };
  const origins = (sample: ExperimentData) => Array.from(sample.features.values);

  it('keeps each arm’s row count and draws each arm’s rows from that arm, with outcomes that follow their rows', () => {
    const sample = bootstrapExperiment(data, 3);
    expect(sample.features.rowCount).toBe(10);
    expect(sample.arms.filter((arm) => arm === 'control')).toHaveLength(4);
    origins(sample).forEach((origin, k) => {
      expect(sample.arms[k]).toBe(data.arms[origin]);
      expect(sample.outcomes[k]).toBe(data.outcomes[origin]);
    });
  });

  it('draws with replacement: some rows twice or more, some not at all, in ascending order', () => {
    const drawn = origins(bootstrapExperiment(data, 3));
    expect(drawn).toEqual([...drawn].sort((a, b) => a - b));
    expect(new Set(drawn).size).toBeLessThan(10);
  });

  it('is a function of the seed: the same seed gives the same rows, another seed others', () => {
    expect(origins(bootstrapExperiment(data, 5))).toEqual(origins(bootstrapExperiment(data, 5)));
    expect(origins(bootstrapExperiment(data, 6))).not.toEqual(origins(bootstrapExperiment(data, 5)));
  });
});

describe('trainBaggedUplift', () => {
  const training = syntheticExperiment(6000, 71);
  const learner = (data: ExperimentData) => trainTwoModelUplift(data, { controlArm: 'control', trainer: (d) => trainGradientBoosting(d, { maxDepth: 2, maxIterations: 30 }) });
  const bagged = trainBaggedUplift(training, learner, { members: 4, seed: 10 });

  it('averages members fitted on the bootstrap resamples seed, seed + 1, …', () => {
    expect(bagged.members).toHaveLength(4);
    const third = learner(bootstrapExperiment(training, 12));
    expect(JSON.stringify(bagged.members[2])).toBe(JSON.stringify(third));
    const row = [0.7, 0.2];
    const mean = bagged.members.reduce((sum, member) => sum + member.predictUplift(row)['reminder']! / 4, 0);
    expect(bagged.predictUplift(row)['reminder']).toBeCloseTo(mean, 14);
  });

  it('still recovers the synthetic effect (0.4 when x₁ > 0.5, else 0)', () => {
    expect(bagged.predictUplift([0.8, 0.5])['reminder']).toBeCloseTo(syntheticUplift('reminder', 0.8), 1);
    expect(bagged.predictUplift([0.2, 0.5])['reminder']).toBeCloseTo(syntheticUplift('reminder', 0.2), 1);
  });

  it('is deterministic and round-trips through JSON as an average', () => {
    expect(JSON.stringify(trainBaggedUplift(training, learner, { members: 4, seed: 10 }))).toBe(JSON.stringify(bagged));
    const restored = deserializeAnyUpliftModel(JSON.parse(JSON.stringify(bagged)));
    expect(restored).toBeInstanceOf(AveragedUpliftModel);
    expect(restored.predictUplift([0.6, 0.1])).toEqual(bagged.predictUplift([0.6, 0.1]));
  });

  it('refuses a member count that is not a positive integer', () => {
    expect(() => trainBaggedUplift(training, learner, { members: 0 })).toThrow(/positive integer/);
  });
});
