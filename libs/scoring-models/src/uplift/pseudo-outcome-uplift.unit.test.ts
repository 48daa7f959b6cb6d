import type { ClassifierTrainer, ProbabilisticClassifier } from '../classifier';
import { trainGradientBoosting } from '../gradient-boosting/gradient-boosting';
import { trainGradientBoostingRegressor } from '../gradient-boosting/gradient-boosting-regressor';
import { deserializeAnyUpliftModel } from '../model-serialization';
import type { RegressorTrainer } from '../regressor';
import { syntheticExperiment, syntheticUplift } from '../testing/synthetic-data';
import { PseudoOutcomeUpliftModel, pseudoOutcomes, trainPseudoOutcomeUplift } from './pseudo-outcome-uplift';
import type { ExperimentData } from './uplift-model';

const effectTrainer: RegressorTrainer = (dataset) => trainGradientBoostingRegressor(dataset, { maxDepth: 2, learningRate: 0.05, minSamplesLeaf: 200, seed: 1 });
const outcomeTrainer: ClassifierTrainer = (dataset) => trainGradientBoosting(dataset, { maxDepth: 2, seed: 1 });

describe('pseudoOutcomes', () => {
  // 3 treated rows (outcomes 1, 0, 1) and 1 control row (outcome 1): e = 3/4.
  const pair: ExperimentData = {
    features: { featureNames: ['x'], rowCount: 4, values: Float64Array.from([0, 1, 2, 3]) },
    outcomes: Uint8Array.from([1, 0, 1, 1]),
    arms: ['t', 't', 't', 'c'],
  };

  it('transformed outcome: y/e for treated rows, −y/(1 − e) for control rows', () => {
    const z = pseudoOutcomes(pair, 't', 'c', { controlArm: 'c', method: 'transformed-outcome', effectTrainer });
    expect(Array.from(z)).toEqual([4 / 3, 0, 4 / 3, -4]);
  });

  it('doubly robust: μ₁ − μ₀ + W(y − μ₁)/e − (1 − W)(y − μ₀)/(1 − e), with μ from the response models', () => {
    const constant = (p: number): ProbabilisticClassifier => ({
      kind: 'constant',
      featureNames: ['x'],
      predictProbability: () => p,
      predictProbabilities: (features) => new Float64Array(features.rowCount).fill(p),
      explain: () => ({ bias: 0, contributions: new Float64Array(1) }),
      toJSON: () => ({}),
    });
    // 20 treated rows (x < 10) and 20 control rows (x ≥ 10), e = 1/2. Whatever the cross-fitting
    // folds, a model fitted on treated rows says μ₁ = 0.5 and one fitted on control rows μ₀ = 0.25.
    const constantTrainer: ClassifierTrainer = (dataset) => constant(dataset.features.values[0]! >= 10 ? 0.25 : 0.5);
    const rowCount = 40;
    const data: ExperimentData = {
      features: { featureNames: ['x'], rowCount, values: Float64Array.from({ length: rowCount }, (_, i) => (i < 20 ? i / 4 : 10 + i)) },
      outcomes: Uint8Array.from({ length: rowCount }, (_, i) => i % 2),
      arms: Array.from({ length: rowCount }, (_, i) => (i < 20 ? 't' : 'c')),
    };
    const z = pseudoOutcomes(data, 't', 'c', { controlArm: 'c', method: 'doubly-robust', effectTrainer, outcomeTrainer: constantTrainer, crossFittingFolds: 2 });
    // treated: 0.25 + (y − 0.5)/0.5 → y = 1: 1.25, y = 0: −0.75; control: 0.25 − (y − 0.25)/0.5 → y = 1: −1.25, y = 0: 0.75.
    const expected = Array.from({ length: rowCount }, (_, i) => (i < 20 ? (i % 2 === 1 ? 1.25 : -0.75) : i % 2 === 1 ? -1.25 : 0.75));
    Array.from(z).forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 12));
    expect(() => pseudoOutcomes(pair, 't', 'c', { controlArm: 'c', method: 'doubly-robust', effectTrainer })).toThrow(/needs an outcomeTrainer/);
  });
});

describe('trainPseudoOutcomeUplift', () => {
  const training = syntheticExperiment(30_000, 41, ['control', 'reminder']);

  it.each(['transformed-outcome', 'doubly-robust'] as const)('%s: recovers a known uplift that depends on a feature', (method) => {
    const model = trainPseudoOutcomeUplift(training, { controlArm: 'control', method, effectTrainer, outcomeTrainer });
    expect(model.treatmentArms).toEqual(['reminder']);
    for (const [x1, x2] of [[0.8, 0.1], [0.9, 0.7], [0.2, 0.5], [0.1, 0.9]] as const) {
      expect(model.predictUplift([x1, x2])['reminder']).toBeCloseTo(syntheticUplift('reminder', x1), 1);
    }
  });

  it('is deterministic and round-trips through JSON', () => {
    const small = syntheticExperiment(4000, 42, ['control', 'reminder']);
    const options = { controlArm: 'control', method: 'doubly-robust', effectTrainer, outcomeTrainer, seed: 5 } as const;
    const model = trainPseudoOutcomeUplift(small, options);
    expect(JSON.stringify(trainPseudoOutcomeUplift(small, options))).toBe(JSON.stringify(model));
    const restored = deserializeAnyUpliftModel(JSON.parse(JSON.stringify(model)));
    expect(restored).toBeInstanceOf(PseudoOutcomeUpliftModel);
    expect(restored.predictUplift([0.7, 0.2])).toEqual(model.predictUplift([0.7, 0.2]));
  });
});
