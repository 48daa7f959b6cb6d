import { trainGradientBoosting } from '../gradient-boosting/gradient-boosting';
import { trainLogisticRegression } from '../logistic-regression/logistic-regression';
import { qiniAucScore } from '../metrics/uplift-metrics';
import { deserializeUpliftModel } from '../model-serialization';
import { syntheticExperiment, syntheticUplift } from '../testing/synthetic-data';
import { TwoModelUpliftModel, trainTwoModelUplift } from './two-model-uplift';

describe('trainTwoModelUplift', () => {
  const training = syntheticExperiment(24_000, 21);
  const trainer = (dataset: Parameters<typeof trainGradientBoosting>[0]) => trainGradientBoosting(dataset, { maxDepth: 2, seed: 3 });
  const model = trainTwoModelUplift(training, { controlArm: 'control', trainer });

  it('learns one model per treatment arm beside the control model', () => {
    expect([...model.treatmentArms].sort()).toEqual(['call', 'reminder']);
    expect(model.controlArm).toBe('control');
  });

  it('recovers a known uplift that depends on a feature', () => {
    // "reminder" adds 0.4 when x1 > 0.5 and nothing otherwise; x2 is noise.
    for (const [x1, x2] of [[0.8, 0.1], [0.9, 0.7], [0.2, 0.5], [0.1, 0.9]] as const) {
      expect(model.predictUplift([x1, x2])['reminder']).toBeCloseTo(syntheticUplift('reminder', x1), 1);
    }
  });

  it('recovers a constant uplift for another arm against the same control', () => {
    for (const x1 of [0.1, 0.4, 0.6, 0.9]) expect(model.predictUplift([x1, 0.5])['call']).toBeCloseTo(0.2, 1);
  });

  it('ranks fresh rows by uplift nearly as well as the true uplift does', () => {
    const test = syntheticExperiment(6000, 22, ['control', 'reminder']);
    const treatment = Uint8Array.from(test.arms, (arm) => (arm === 'reminder' ? 1 : 0));
    const trueUplift = Float64Array.from({ length: test.features.rowCount }, (_, r) => syntheticUplift('reminder', test.features.values[r * 2]!));
    const oracleQini = qiniAucScore(test.outcomes, trueUplift, treatment);
    const modelQini = qiniAucScore(test.outcomes, model.predictArmUplift(test.features, 'reminder'), treatment);
    expect(oracleQini).toBeGreaterThan(0.1);
    expect(modelQini).toBeGreaterThan(0.8 * oracleQini);
  });

  it("predicts each arm's response, and the uplift is their difference", () => {
    const row = [0.7, 0.3];
    const difference = model.predictResponse(row, 'reminder') - model.predictResponse(row, 'control');
    expect(model.predictUplift(row)['reminder']).toBeCloseTo(difference, 12);
    expect(() => model.predictResponse(row, 'letter')).toThrow(/no model for arm "letter"/);
  });

  it('round-trips through JSON with identical uplift', () => {
    const restored = deserializeUpliftModel(JSON.parse(JSON.stringify(model)));
    expect(restored).toBeInstanceOf(TwoModelUpliftModel);
    for (const row of [[0.1, 0.2], [0.6, 0.9], [NaN, 0.4]]) expect(restored.predictUplift(row)).toEqual(model.predictUplift(row));
  });

  it('works with any classifier trainer, e.g. the logistic baseline', () => {
    const linear = trainTwoModelUplift(training, { controlArm: 'control', treatmentArms: ['call'], trainer: (d) => trainLogisticRegression(d) });
    expect(linear.treatmentArms).toEqual(['call']);
    expect(linear.predictUplift([0.5, 0.5])['call']).toBeCloseTo(0.2, 1);
  });

  it('refuses arms without rows and a control arm that is also a treatment', () => {
    expect(() => trainTwoModelUplift(training, { controlArm: 'nothing', trainer })).toThrow(/arm "nothing" has no rows/);
    expect(() => trainTwoModelUplift(training, { controlArm: 'control', treatmentArms: ['control'], trainer })).toThrow(/cannot also be a treatment/);
  });
});
