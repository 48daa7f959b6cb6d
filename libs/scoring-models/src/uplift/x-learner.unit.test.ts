import type { ClassifierTrainer } from '../classifier';
import { trainGradientBoosting } from '../gradient-boosting/gradient-boosting';
import { trainGradientBoostingRegressor } from '../gradient-boosting/gradient-boosting-regressor';
import { qiniAucScore } from '../metrics/uplift-metrics';
import { deserializeAnyUpliftModel } from '../model-serialization';
import type { Regressor, RegressorTrainer } from '../regressor';
import { syntheticExperiment, syntheticUplift } from '../testing/synthetic-data';
import { trainXLearnerUplift, XLearnerUpliftModel } from './x-learner';

describe('trainXLearnerUplift', () => {
  const training = syntheticExperiment(24_000, 31);
  const outcomeTrainer: ClassifierTrainer = (dataset) => trainGradientBoosting(dataset, { maxDepth: 2, seed: 3 });
  const effectTrainer: RegressorTrainer = (dataset) => trainGradientBoostingRegressor(dataset, { maxDepth: 2, minSamplesLeaf: 100, seed: 3 });
  const model = trainXLearnerUplift(training, { controlArm: 'control', outcomeTrainer, effectTrainer });

  it('recovers a known uplift that depends on a feature, and a constant one for another arm', () => {
    expect([...model.treatmentArms].sort()).toEqual(['call', 'reminder']);
    // "reminder" adds 0.4 when x1 > 0.5 and nothing otherwise; "call" adds 0.2 everywhere; x2 is noise.
    for (const [x1, x2] of [[0.8, 0.1], [0.9, 0.7], [0.2, 0.5], [0.1, 0.9]] as const) {
      const uplift = model.predictUplift([x1, x2]);
      expect(uplift['reminder']).toBeCloseTo(syntheticUplift('reminder', x1), 1);
      expect(uplift['call']).toBeCloseTo(0.2, 1);
    }
  });

  it('ranks fresh rows by uplift nearly as well as the true uplift does', () => {
    const test = syntheticExperiment(6000, 32, ['control', 'reminder']);
    const treatment = Uint8Array.from(test.arms, (arm) => (arm === 'reminder' ? 1 : 0));
    const trueUplift = Float64Array.from({ length: test.features.rowCount }, (_, r) => syntheticUplift('reminder', test.features.values[r * 2]!));
    const oracleQini = qiniAucScore(test.outcomes, trueUplift, treatment);
    expect(oracleQini).toBeGreaterThan(0.1);
    expect(qiniAucScore(test.outcomes, model.predictArmUplift(test.features, 'reminder'), treatment)).toBeGreaterThan(0.8 * oracleQini);
  });

  it('imputes effects with the other arm’s model and weighs the two effect models by the propensity', () => {
    // Two arms, 3 treated rows to 1 control row: g = 0.75 goes to the control-side model τ₀.
    const unbalanced = syntheticExperiment(8000, 33, ['control', 'reminder', 'reminder', 'reminder']);
    const fitted: { rows: number; meanTarget: number }[] = [];
    const constantRegressor: RegressorTrainer = (dataset) => {
      const meanTarget = dataset.targets.reduce((sum, t) => sum + t, 0) / dataset.targets.length;
      fitted.push({ rows: dataset.features.rowCount, meanTarget });
      const regressor: Regressor = {
        kind: 'constant',
        featureNames: dataset.features.featureNames,
        predict: () => meanTarget,
        predictMany: (features) => new Float64Array(features.rowCount).fill(meanTarget),
        toJSON: () => ({ kind: 'constant', meanTarget }),
      };
      return regressor;
    };
    const xModel = trainXLearnerUplift(unbalanced, { controlArm: 'control', outcomeTrainer, effectTrainer: constantRegressor });
    const [treatedSide, controlSide] = fitted;
    const treatedRows = unbalanced.arms.filter((arm) => arm === 'reminder').length;
    expect(treatedSide!.rows).toBe(treatedRows);
    expect(controlSide!.rows).toBe(unbalanced.arms.length - treatedRows);
    // Both imputations estimate the average effect, 0.4 · P(x1 > 0.5) = 0.2.
    expect(treatedSide!.meanTarget).toBeCloseTo(0.2, 1);
    expect(controlSide!.meanTarget).toBeCloseTo(0.2, 1);
    const propensity = treatedRows / unbalanced.arms.length;
    expect(xModel.toJSON().treatments[0]!.propensity).toBeCloseTo(propensity, 12);
    expect(xModel.predictUplift([0.5, 0.5])['reminder']).toBeCloseTo(propensity * controlSide!.meanTarget + (1 - propensity) * treatedSide!.meanTarget, 12);
  });

  it('is deterministic: the same data and seeds give the same model', () => {
    const small = syntheticExperiment(3000, 34, ['control', 'reminder']);
    const options = { controlArm: 'control', outcomeTrainer, effectTrainer } as const;
    expect(JSON.stringify(trainXLearnerUplift(small, options))).toBe(JSON.stringify(trainXLearnerUplift(small, options)));
  });

  it('round-trips through JSON with identical uplift', () => {
    const restored = deserializeAnyUpliftModel(JSON.parse(JSON.stringify(model)));
    expect(restored).toBeInstanceOf(XLearnerUpliftModel);
    for (const row of [[0.1, 0.2], [0.6, 0.9], [NaN, 0.4]]) expect(restored.predictUplift(row)).toEqual(model.predictUplift(row));
    expect(Array.from(restored.predictArmUplift(training.features, 'call').subarray(0, 50))).toEqual(Array.from(model.predictArmUplift(training.features, 'call').subarray(0, 50)));
  });

  it('refuses unknown arms and rows of the wrong width', () => {
    expect(() => model.predictArmUplift(training.features, 'letter')).toThrow(/no uplift for arm "letter"/);
    expect(() => model.predictUplift([0.5])).toThrow(/row has 1 values/);
    expect(() => trainXLearnerUplift(training, { controlArm: 'nothing', outcomeTrainer, effectTrainer })).toThrow(/arm "nothing" has no rows/);
  });
});
