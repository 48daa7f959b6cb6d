import { featureRow, type LabelledDataset } from '../dataset/feature-matrix';
import { trainLogisticRegression } from '../logistic-regression/logistic-regression';
import { rocAuc } from '../metrics/classification-metrics';
import { deserializeClassifier } from '../model-serialization';
import { xorDataset } from '../testing/synthetic-data';
import { DEFAULT_GRADIENT_BOOSTING_OPTIONS, GradientBoostingClassifier, trainGradientBoosting } from './gradient-boosting';

describe('trainGradientBoosting', () => {
  const training = xorDataset(4000, 1);
  const test = xorDataset(2000, 2);

  it('learns an XOR-like problem that logistic regression cannot', () => {
    const boosted = trainGradientBoosting(training);
    const linear = trainLogisticRegression(training);
    const boostedAuc = rocAuc(test.labels, boosted.predictProbabilities(test.features));
    const linearAuc = rocAuc(test.labels, linear.predictProbabilities(test.features));
    expect(boostedAuc).toBeGreaterThan(0.95);
    expect(linearAuc).toBeLessThan(0.6);
    expect(boostedAuc - linearAuc).toBeGreaterThan(0.3);
  });

  it('is deterministic: the same data and seed give the same model and predictions', () => {
    const options = { seed: 7, earlyStopping: true } as const;
    const first = trainGradientBoosting(training, options);
    const second = trainGradientBoosting(training, options);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(Array.from(second.predictProbabilities(test.features))).toEqual(Array.from(first.predictProbabilities(test.features)));
  });

  it('draws its early-stopping validation rows from the seed', () => {
    const first = trainGradientBoosting(training, { seed: 1, earlyStopping: true });
    const second = trainGradientBoosting(training, { seed: 2, earlyStopping: true });
    expect(JSON.stringify(second.toJSON().trees)).not.toBe(JSON.stringify(first.toJSON().trees));
  });

  it('stops early when the validation loss stops improving, and not before the patience runs out', () => {
    const model = trainGradientBoosting(training, { earlyStopping: true, maxIterations: 500 });
    expect(model.training.stoppedEarly).toBe(true);
    expect(model.training.iterations).toBeLessThan(500);
    expect(model.training.iterations).toBeGreaterThan(DEFAULT_GRADIENT_BOOSTING_OPTIONS.iterationsWithoutImprovement);
    expect(model.training.validationRowCount).toBe(400);
    expect(model.training.validationLoss).toHaveLength(model.training.iterations + 1);
    const losses = model.training.validationLoss;
    const best = Math.min(...losses);
    expect(losses.slice(-DEFAULT_GRADIENT_BOOSTING_OPTIONS.iterationsWithoutImprovement).every((loss) => loss >= best)).toBe(true);
  });

  it("switches early stopping on by itself only above 10,000 rows, as scikit-learn's 'auto'", () => {
    expect(trainGradientBoosting(xorDataset(1000, 3), { maxIterations: 5 }).training.validationRowCount).toBe(0);
    // 10 % of each class, rounded per class
    expect(Math.abs(trainGradientBoosting(xorDataset(10_001, 3), { maxIterations: 5 }).training.validationRowCount - 1000)).toBeLessThanOrEqual(1);
  });

  it('grows at most maxLeafNodes leaves per tree and respects maxDepth', () => {
    const model = trainGradientBoosting(training, { maxLeafNodes: 5, maxIterations: 3 }).toJSON();
    const { roots, feature, left } = model.trees;
    roots.forEach((root, t) => {
      const end = roots[t + 1] ?? feature.length;
      const leaves = feature.slice(root, end).filter((f) => f < 0).length;
      expect(leaves).toBeLessThanOrEqual(5);
      expect(leaves).toBeGreaterThan(1);
    });
    const shallow = trainGradientBoosting(training, { maxDepth: 1, maxIterations: 3 }).toJSON();
    shallow.trees.roots.forEach((root) => {
      const leftChild = shallow.trees.left[root]!;
      const rightChild = shallow.trees.right[root]!;
      expect(shallow.trees.feature[leftChild]).toBe(-1);
      expect(shallow.trees.feature[rightChild]).toBe(-1);
    });
    expect(left.length).toBe(feature.length);
  });

  it('learns from missing values: rows without a value can be the ones that matter', () => {
    const rowCount = 2000;
    const values = new Float64Array(rowCount * 2);
    const labels = new Uint8Array(rowCount);
    for (let r = 0; r < rowCount; r++) {
      const missing = r % 3 === 0;
      values[r * 2] = missing ? NaN : (r % 97) / 97;
      values[r * 2 + 1] = (r % 13) / 13;
      labels[r] = missing ? 1 : 0;
    }
    const dataset: LabelledDataset = { features: { featureNames: ['days_late', 'noise'], rowCount, values }, labels };
    const model = trainGradientBoosting(dataset, { maxIterations: 20 });
    expect(model.predictProbability([NaN, 0.5])).toBeGreaterThan(0.9);
    expect(model.predictProbability([0.5, 0.5])).toBeLessThan(0.1);
  });

  it('explains a prediction: the bias plus the contributions are its log-odds', () => {
    const model = trainGradientBoosting(training, { maxIterations: 30 });
    for (const r of [0, 1, 2, 3]) {
      const row = featureRow(test.features, r);
      const { bias, contributions } = model.explain(row);
      expect(bias + contributions.reduce((sum, c) => sum + c, 0)).toBeCloseTo(model.predictLogOdds(row), 10);
      // x3 is pure noise: x1 and x2 carry the prediction.
      expect(Math.abs(contributions[0]!) + Math.abs(contributions[1]!)).toBeGreaterThan(Math.abs(contributions[2]!));
    }
  });

  it('refuses rows and matrices that do not match its features', () => {
    const model = trainGradientBoosting(training, { maxIterations: 2 });
    expect(() => model.predictProbability([0.1, 0.2])).toThrow(/row has 2 values, the model expects 3/);
    expect(() => model.predictProbabilities({ featureNames: ['x2', 'x1', 'x3'], rowCount: 0, values: new Float64Array(0) })).toThrow(/differ from the model/);
  });

  it('rejects labels other than 0 and 1', () => {
    const bad = { features: training.features, labels: training.labels.map((label, i) => (i === 5 ? 2 : label)) };
    expect(() => trainGradientBoosting(bad)).toThrow(/label of row 5 is 2/);
  });
});

describe('GradientBoostingClassifier serialization', () => {
  const training = xorDataset(3000, 4);
  // Missing values in training give the trees learned missing-value directions to round-trip.
  const withGaps: LabelledDataset = {
    features: { ...training.features, values: training.features.values.map((v, i) => (i % 17 === 0 ? NaN : v)) },
    labels: training.labels,
  };

  it('predicts the same after a round trip through JSON text, missing values included', () => {
    const model = trainGradientBoosting(withGaps, { maxIterations: 40 });
    const restored = deserializeClassifier(JSON.parse(JSON.stringify(model)));
    expect(restored).toBeInstanceOf(GradientBoostingClassifier);
    expect(JSON.stringify(restored)).toBe(JSON.stringify(model));
    const rows = [
      [0.5, -0.5, 0.1],
      [NaN, 0.3, 0.2],
      [0.2, NaN, NaN],
      [-0.9, -0.8, 0.7],
    ];
    for (const row of rows) expect(restored.predictProbability(row)).toBe(model.predictProbability(row));
  });

  it('rejects a stored model whose tree points back up (which could loop forever)', () => {
    const json = trainGradientBoosting(training, { maxIterations: 2 }).toJSON();
    const firstSplit = json.trees.feature.findIndex((f) => f >= 0);
    json.trees.left[firstSplit] = firstSplit;
    expect(() => GradientBoostingClassifier.fromJSON(json)).toThrow(/invalid children/);
  });

  it('rejects a stored model with missing fields or an unknown kind', () => {
    const json = trainGradientBoosting(training, { maxIterations: 2 }).toJSON() as unknown as Record<string, unknown>;
    delete json['trees'];
    expect(() => GradientBoostingClassifier.fromJSON(json)).toThrow();
    expect(() => deserializeClassifier({ kind: 'neural-network' })).toThrow(/unknown classifier kind "neural-network"/);
  });
});

describe('trainGradientBoosting with row subsampling', () => {
  const training = xorDataset(4000, 5);
  const test = xorDataset(2000, 6);

  it('grows each tree on a seeded random share of the rows: reproducible per seed, different across seeds', () => {
    const first = trainGradientBoosting(training, { subsample: 0.5, seed: 1, maxIterations: 20 });
    expect(JSON.stringify(trainGradientBoosting(training, { subsample: 0.5, seed: 1, maxIterations: 20 }))).toBe(JSON.stringify(first));
    expect(JSON.stringify(trainGradientBoosting(training, { subsample: 0.5, seed: 2, maxIterations: 20 }).toJSON().trees)).not.toBe(JSON.stringify(first.toJSON().trees));
  });

  it('still learns the problem about as well as with every row', () => {
    const subsampled = rocAuc(test.labels, trainGradientBoosting(training, { subsample: 0.5 }).predictProbabilities(test.features));
    const full = rocAuc(test.labels, trainGradientBoosting(training).predictProbabilities(test.features));
    expect(subsampled).toBeGreaterThan(0.93);
    expect(Math.abs(subsampled - full)).toBeLessThan(0.01);
  });

  it('reads a model stored before subsampling existed as one that used every row', () => {
    const json = trainGradientBoosting(training, { maxIterations: 2 }).toJSON() as unknown as { options: Record<string, unknown> };
    delete json.options['subsample'];
    expect(GradientBoostingClassifier.fromJSON(json).options.subsample).toBe(1);
  });
});

describe('trainGradientBoosting with XGBoost-style regularisation (L2 on leaf weights, least child hessian)', () => {
  // Four rows, one feature: x = 0 → y = 0, x = 1 → y = 1. The start is log-odds 0 (p = ½), so every
  // row has gradient p − y = ±½ and hessian p(1 − p) = ¼; each side of the split x ≤ 0.5 holds
  // G = ±1 and H = ½.
  const dataset: LabelledDataset = { features: { featureNames: ['x'], rowCount: 4, values: Float64Array.from([0, 0, 1, 1]) }, labels: Uint8Array.from([0, 0, 1, 1]) };
  const oneStump = { maxIterations: 1, maxDepth: 1, learningRate: 1, minSamplesLeaf: 1, earlyStopping: false } as const;

  it('gives each leaf the Newton step −G/(H + λ): ±2 without L2, ±2/3 with λ = 1', () => {
    const unregularised = trainGradientBoosting(dataset, { ...oneStump, l2Regularization: 0 });
    expect(unregularised.predictLogOdds([0])).toBeCloseTo(-2, 10);
    expect(unregularised.predictLogOdds([1])).toBeCloseTo(2, 10);
    const regularised = trainGradientBoosting(dataset, { ...oneStump, l2Regularization: 1 });
    expect(regularised.predictLogOdds([0])).toBeCloseTo(-2 / 3, 10);
    expect(regularised.predictLogOdds([1])).toBeCloseTo(2 / 3, 10);
  });

  it('splits only when both children hold at least minChildWeight of hessian (½ each here)', () => {
    const allowed = trainGradientBoosting(dataset, { ...oneStump, l2Regularization: 1, minChildWeight: 0.5 });
    expect(allowed.toJSON().trees.feature).toEqual([0, -1, -1]);
    const refused = trainGradientBoosting(dataset, { ...oneStump, l2Regularization: 1, minChildWeight: 0.51 });
    expect(refused.toJSON().trees.feature).toEqual([-1]);
    expect(refused.predictLogOdds([0])).toBeCloseTo(0, 10);
    expect(refused.predictLogOdds([1])).toBeCloseTo(0, 10);
  });

  it('passes over the best split when a child is too light, and takes the best one that qualifies', () => {
    // x = 0, 1, 2, 3 with y = 1, 0, 0, 0: start p = ¼, hessian 3/16 per row, gradients −¾, ¼, ¼, ¼.
    // Gains (λ = 1): x ≤ 0.5 → 0.834, x ≤ 1.5 → 0.364, x ≤ 2.5 → 0.093; a one-row side holds H = 0.1875.
    const skewed: LabelledDataset = { features: { featureNames: ['x'], rowCount: 4, values: Float64Array.from([0, 1, 2, 3]) }, labels: Uint8Array.from([1, 0, 0, 0]) };
    const free = trainGradientBoosting(skewed, { ...oneStump, l2Regularization: 1 }).toJSON();
    expect(free.trees.threshold[0]).toBeCloseTo(0.5, 10);
    const constrained = trainGradientBoosting(skewed, { ...oneStump, l2Regularization: 1, minChildWeight: 0.2 }).toJSON();
    expect(constrained.trees.feature).toEqual([0, -1, -1]);
    expect(constrained.trees.threshold[0]).toBeCloseTo(1.5, 10);
    // Leaves: −G/(H + λ) = −(−½)/(⅜ + 1) and −(½)/(⅜ + 1).
    expect(constrained.trees.value.slice(1)).toEqual([expect.closeTo(0.5 / 1.375, 10), expect.closeTo(-0.5 / 1.375, 10)]);
  });

  it("defaults to scikit-learn's least hessian of 10⁻³ and reads a model stored before the option existed with it", () => {
    expect(DEFAULT_GRADIENT_BOOSTING_OPTIONS.minChildWeight).toBe(1e-3);
    const json = trainGradientBoosting(dataset, oneStump).toJSON() as unknown as { options: Record<string, unknown> };
    delete json.options['minChildWeight'];
    expect(GradientBoostingClassifier.fromJSON(json).options.minChildWeight).toBe(1e-3);
  });
});
