import { trainGradientBoosting } from '../gradient-boosting/gradient-boosting';
import { trainLogisticRegression } from '../logistic-regression/logistic-regression';
import { deserializeAnyUpliftModel } from '../model-serialization';
import { syntheticExperiment } from '../testing/synthetic-data';
import { AveragedUpliftModel, trainAveragedUplift } from './averaged-uplift';
import { trainTwoModelUplift } from './two-model-uplift';
import type { ExperimentData } from './uplift-model';

describe('AveragedUpliftModel', () => {
  const training = syntheticExperiment(6000, 61);
  const boosted = (data: ExperimentData) => trainTwoModelUplift(data, { controlArm: 'control', trainer: (d) => trainGradientBoosting(d, { maxDepth: 2, maxIterations: 30 }) });
  const linear = (data: ExperimentData) => trainTwoModelUplift(data, { controlArm: 'control', trainer: (d) => trainLogisticRegression(d) });
  const averaged = trainAveragedUplift(training, [boosted, linear]);

  it('predicts the mean of its members’ uplift, per row and per matrix', () => {
    const [first, second] = averaged.members;
    for (const row of [[0.2, 0.3], [0.8, 0.6]]) {
      const expected = (first!.predictUplift(row)['reminder']! + second!.predictUplift(row)['reminder']!) / 2;
      expect(averaged.predictUplift(row)['reminder']).toBeCloseTo(expected, 14);
    }
    const many = averaged.predictArmUplift(training.features, 'call');
    const a = first!.predictArmUplift(training.features, 'call');
    const b = second!.predictArmUplift(training.features, 'call');
    expect(many[10]).toBeCloseTo((a[10]! + b[10]!) / 2, 14);
  });

  it('round-trips through JSON, members included', () => {
    const restored = deserializeAnyUpliftModel(JSON.parse(JSON.stringify(averaged)));
    expect(restored).toBeInstanceOf(AveragedUpliftModel);
    expect(restored.predictUplift([0.6, 0.1])).toEqual(averaged.predictUplift([0.6, 0.1]));
  });

  it('refuses members with other arms', () => {
    const onlyCall = trainTwoModelUplift(training, { controlArm: 'control', treatmentArms: ['call'], trainer: (d) => trainLogisticRegression(d) });
    expect(() => new AveragedUpliftModel([averaged.members[0]!, onlyCall])).toThrow(/must share features, control arm and treatment arms/);
    expect(() => new AveragedUpliftModel([])).toThrow(/at least one member/);
  });
});
