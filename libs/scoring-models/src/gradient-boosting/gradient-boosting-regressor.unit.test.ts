import { deserializeRegressor } from '../model-serialization';
import { SeededRandom } from '../random/seeded-random';
import type { RegressionDataset } from '../regressor';
import { GradientBoostingRegressor, trainGradientBoostingRegressor } from './gradient-boosting-regressor';

/** y = 3·[x1 > 0.5] + 2·x2 + N(0, noise²)-ish uniform noise; x3 is noise. */
function stepPlusLinear(rowCount: number, seed: number, noise = 0.1): RegressionDataset {
  const random = new SeededRandom(seed);
  const values = new Float64Array(rowCount * 3);
  const targets = new Float64Array(rowCount);
  for (let r = 0; r < rowCount; r++) {
    const x1 = random.nextFloat();
    const x2 = random.nextFloat();
    values.set([x1, x2, random.nextFloat()], r * 3);
    targets[r] = (x1 > 0.5 ? 3 : 0) + 2 * x2 + noise * (random.nextFloat() * 2 - 1);
  }
  return { features: { featureNames: ['x1', 'x2', 'x3'], rowCount, values }, targets };
}

const trueValue = (x1: number, x2: number) => (x1 > 0.5 ? 3 : 0) + 2 * x2;

describe('trainGradientBoostingRegressor (squared error)', () => {
  const training = stepPlusLinear(4000, 1);

  it('starts from the mean target: with one round of learning rate ε the prediction is the mean', () => {
    const model = trainGradientBoostingRegressor(training, { maxIterations: 1, learningRate: 1e-12 });
    const mean = training.targets.reduce((sum, y) => sum + y, 0) / training.targets.length;
    expect(model.predict([0.9, 0.9, 0.5])).toBeCloseTo(mean, 9);
    expect(model.predict([0.1, 0.1, 0.5])).toBeCloseTo(mean, 9);
  });

  it('fits a step plus a linear trend closely, and the noise feature explains little', () => {
    const model = trainGradientBoostingRegressor(training, { maxIterations: 200 });
    for (const [x1, x2] of [[0.2, 0.2], [0.8, 0.2], [0.3, 0.9], [0.7, 0.7]] as const) {
      expect(Math.abs(model.predict([x1, x2, 0.5]) - trueValue(x1, x2))).toBeLessThan(0.1);
    }
    const explanation = model.explain([0.8, 0.2, 0.5]);
    expect(explanation.bias + explanation.contributions.reduce((a, b) => a + b, 0)).toBeCloseTo(model.predict([0.8, 0.2, 0.5]), 10);
    expect(Math.abs(explanation.contributions[2]!)).toBeLessThan(Math.abs(explanation.contributions[0]!));
  });

  it('lowers the squared error against a held-out sample far below that of the mean', () => {
    const test = stepPlusLinear(1000, 2);
    const model = trainGradientBoostingRegressor(training);
    const predictions = model.predictMany(test.features);
    const mean = test.targets.reduce((sum, y) => sum + y, 0) / test.targets.length;
    let modelError = 0;
    let meanError = 0;
    test.targets.forEach((y, i) => {
      modelError += (predictions[i]! - y) ** 2;
      meanError += (mean - y) ** 2;
    });
    expect(modelError / meanError).toBeLessThan(0.02);
  });

  it('a Newton leaf under the squared error is the shrunk mean residual: one stump on two groups', () => {
    // Targets 1 (x < 0.5) and 5 (x > 0.5), 50 rows each: start 3, residuals ∓2, leaf values ∓2·0.5.
    const rowCount = 100;
    const values = Float64Array.from({ length: rowCount }, (_, i) => (i < 50 ? 0.25 : 0.75));
    const targets = Float64Array.from({ length: rowCount }, (_, i) => (i < 50 ? 1 : 5));
    const model = trainGradientBoostingRegressor({ features: { featureNames: ['x'], rowCount, values }, targets }, { maxIterations: 1, learningRate: 0.5, maxDepth: 1 });
    expect(model.predict([0.25])).toBeCloseTo(2, 12);
    expect(model.predict([0.75])).toBeCloseTo(4, 12);
  });

  it('stops early on the validation squared error when asked, with random (not per-class) validation rows', () => {
    const model = trainGradientBoostingRegressor(stepPlusLinear(3000, 3, 1.5), { earlyStopping: true, maxIterations: 1000 });
    expect(model.training.stoppedEarly).toBe(true);
    expect(model.training.validationRowCount).toBe(300);
    expect(model.training.validationLoss).toHaveLength(model.training.iterations + 1);
  });

  it('is deterministic, subsampling included: same data, options and seed give the same model', () => {
    const options = { subsample: 0.5, seed: 4, maxIterations: 30 } as const;
    const first = trainGradientBoostingRegressor(training, options);
    expect(JSON.stringify(trainGradientBoostingRegressor(training, options))).toBe(JSON.stringify(first));
    expect(JSON.stringify(trainGradientBoostingRegressor(training, { ...options, seed: 5 }).toJSON().trees)).not.toBe(JSON.stringify(first.toJSON().trees));
  });

  it('with subsampling still fits the function (each tree sees half the rows)', () => {
    const model = trainGradientBoostingRegressor(training, { subsample: 0.5, maxIterations: 200 });
    expect(Math.abs(model.predict([0.8, 0.5, 0.5]) - trueValue(0.8, 0.5))).toBeLessThan(0.15);
  });

  it('round-trips through JSON with identical predictions, and refuses a classifier kind', () => {
    const model = trainGradientBoostingRegressor(training, { maxIterations: 20 });
    const restored = deserializeRegressor(JSON.parse(JSON.stringify(model)));
    expect(restored).toBeInstanceOf(GradientBoostingRegressor);
    for (const row of [[0.1, 0.2, 0.3], [0.9, NaN, 0.1]]) expect(restored.predict(row)).toBe(model.predict(row));
    expect(() => deserializeRegressor({ kind: 'gradient-boosting' })).toThrow(/unknown regressor kind "gradient-boosting"/);
  });

  it('rejects targets that are not finite numbers', () => {
    const targets = Float64Array.from(training.targets);
    targets[7] = Number.NaN;
    expect(() => trainGradientBoostingRegressor({ features: training.features, targets })).toThrow(/target of row 7 is NaN/);
  });
});
