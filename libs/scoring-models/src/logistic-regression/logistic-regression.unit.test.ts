import { featureRow } from '../dataset/feature-matrix';
import { deserializeClassifier } from '../model-serialization';
import { linearLogisticDataset } from '../testing/synthetic-data';
import { LogisticRegressionClassifier, solveSymmetricPositiveDefinite, trainLogisticRegression } from './logistic-regression';

describe('trainLogisticRegression', () => {
  const dataset = linearLogisticDataset(20_000, 11);

  it('recovers the coefficients of a known logistic model', () => {
    const model = trainLogisticRegression(dataset, { l2Regularization: 0 });
    // Generated with log-odds 0.5 + 2·x1 − x2 and x ~ N(0, 1): on the raw scale, coefficient = standardized / scale.
    const json = model.toJSON();
    const rawCoefficients = json.coefficients.map((c, f) => c / json.scales[f]!);
    const rawIntercept = json.intercept - json.coefficients.reduce((sum, c, f) => sum + (c * json.means[f]!) / json.scales[f]!, 0);
    expect(rawCoefficients[0]).toBeCloseTo(2, 1);
    expect(rawCoefficients[1]).toBeCloseTo(-1, 1);
    expect(rawIntercept).toBeCloseTo(0.5, 1);
    expect(model.training.converged).toBe(true);
  });

  it('reaches the optimum of the penalized likelihood: its gradient vanishes', () => {
    const lambda = 5;
    const model = trainLogisticRegression(dataset, { l2Regularization: lambda });
    const { means, scales, coefficients } = model.toJSON();
    let interceptGradient = 0;
    let x1Gradient = lambda * coefficients[0]!;
    let x2Gradient = lambda * coefficients[1]!;
    for (let r = 0; r < dataset.features.rowCount; r++) {
      const row = featureRow(dataset.features, r);
      const residual = model.predictProbability(row) - dataset.labels[r]!;
      interceptGradient += residual;
      x1Gradient += (residual * (row[0]! - means[0]!)) / scales[0]!;
      x2Gradient += (residual * (row[1]! - means[1]!)) / scales[1]!;
    }
    for (const component of [interceptGradient, x1Gradient, x2Gradient]) expect(Math.abs(component)).toBeLessThan(1e-6);
  });

  it('shrinks coefficients as the penalty grows', () => {
    const weak = trainLogisticRegression(dataset, { l2Regularization: 0.1 }).coefficients;
    const strong = trainLogisticRegression(dataset, { l2Regularization: 10_000 }).coefficients;
    expect(Math.abs(strong[0]!)).toBeLessThan(Math.abs(weak[0]!) / 1.5);
  });

  it('explains a prediction as coefficient × standardized value, missing values contributing nothing', () => {
    const model = trainLogisticRegression(dataset);
    const row = [1.5, NaN];
    const { bias, contributions } = model.explain(row);
    expect(contributions[1]).toBe(0);
    expect(bias + contributions[0]!).toBeCloseTo(model.predictLogOdds(row), 12);
  });

  it('round-trips through JSON with identical predictions', () => {
    const model = trainLogisticRegression(dataset);
    const restored = deserializeClassifier(JSON.parse(JSON.stringify(model)));
    expect(restored).toBeInstanceOf(LogisticRegressionClassifier);
    for (const row of [[0, 0], [1.2, -0.7], [NaN, 2]]) expect(restored.predictProbability(row)).toBe(model.predictProbability(row));
  });

  it('is deterministic', () => {
    expect(JSON.stringify(trainLogisticRegression(dataset))).toBe(JSON.stringify(trainLogisticRegression(dataset)));
  });

  it('copes with a constant feature and a single class', () => {
    const rows = 50;
    const constant = { features: { featureNames: ['c'], rowCount: rows, values: new Float64Array(rows).fill(3) }, labels: new Uint8Array(rows).fill(1) };
    const model = trainLogisticRegression(constant);
    expect(model.predictProbability([3])).toBeGreaterThan(0.95);
  });
});

describe('solveSymmetricPositiveDefinite', () => {
  it('solves a hand-checked 2×2 system', () => {
    // [4 2; 2 3]·x = [2; 1] → x = [0.5; 0]
    expect(Array.from(solveSymmetricPositiveDefinite(Float64Array.from([4, 2, 2, 3]), Float64Array.from([2, 1])))).toEqual([0.5, 0]);
  });

  it('refuses a matrix that is not positive definite', () => {
    expect(() => solveSymmetricPositiveDefinite(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]))).toThrow(/positive definite/);
  });
});
