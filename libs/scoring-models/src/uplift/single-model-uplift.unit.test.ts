import { trainGradientBoosting } from '../gradient-boosting/gradient-boosting';
import { trainLogisticRegression } from '../logistic-regression/logistic-regression';
import { deserializeAnyUpliftModel } from '../model-serialization';
import { syntheticExperiment, syntheticUplift } from '../testing/synthetic-data';
import { SingleModelUpliftModel, trainSingleModelUplift } from './single-model-uplift';

describe('trainSingleModelUplift', () => {
  const training = syntheticExperiment(24_000, 51);

  it('recovers a known uplift with one tree model that sees the arm as a feature', () => {
    const model = trainSingleModelUplift(training, { controlArm: 'control', trainer: (d) => trainGradientBoosting(d, { maxDepth: 3, seed: 2 }) });
    expect([...model.treatmentArms].sort()).toEqual(['call', 'reminder']);
    for (const [x1, x2] of [[0.8, 0.1], [0.9, 0.7], [0.2, 0.5], [0.1, 0.9]] as const) {
      const uplift = model.predictUplift([x1, x2]);
      expect(uplift['reminder']).toBeCloseTo(syntheticUplift('reminder', x1), 1);
      expect(uplift['call']).toBeCloseTo(0.2, 1);
    }
    const many = model.predictArmUplift(training.features, 'reminder');
    expect(many[3]).toBeCloseTo(model.predictUplift([training.features.values[6]!, training.features.values[7]!])['reminder']!, 12);
  });

  it('with interactions gives a linear model one slope per arm, and round-trips through JSON', () => {
    const model = trainSingleModelUplift(training, { controlArm: 'control', treatmentArms: ['call'], trainer: (d) => trainLogisticRegression(d), interactions: true });
    const json = model.toJSON();
    expect((json.model as { featureNames: string[] }).featureNames).toEqual(['x1', 'x2', 'arm=call', 'arm=call×x1', 'arm=call×x2']);
    expect(model.predictUplift([0.5, 0.5])['call']).toBeCloseTo(0.2, 1);
    const restored = deserializeAnyUpliftModel(JSON.parse(JSON.stringify(model)));
    expect(restored).toBeInstanceOf(SingleModelUpliftModel);
    expect(restored.predictUplift([0.3, 0.8])).toEqual(model.predictUplift([0.3, 0.8]));
  });
});
