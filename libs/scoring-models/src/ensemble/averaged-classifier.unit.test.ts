import { featureRow } from '../dataset/feature-matrix';
import { trainGradientBoosting } from '../gradient-boosting/gradient-boosting';
import { deserializeClassifier } from '../model-serialization';
import { xorDataset } from '../testing/synthetic-data';
import { AveragedClassifier, trainAveraged } from './averaged-classifier';

describe('AveragedClassifier', () => {
  const training = xorDataset(3000, 31);
  const trainMember = (dataset: typeof training, seed: number) => trainGradientBoosting(dataset, { seed, earlyStopping: true, maxLeafNodes: 15 });
  const average = trainAveraged(training, 3, trainMember);

  it('predicts the mean log-odds of its members', () => {
    const row = [0.3, -0.6, 0.5];
    const meanLogOdds = average.members.reduce((sum, member) => sum + member.predictLogOdds(row), 0) / 3;
    expect(average.predictLogOdds(row)).toBeCloseTo(meanLogOdds, 12);
    expect(average.predictProbability(row)).toBeCloseTo(1 / (1 + Math.exp(-meanLogOdds)), 12);
  });

  it('trains its members with consecutive seeds, so it is deterministic', () => {
    expect(average.members.map((member) => (member.toJSON() as { options: { seed: number } }).options.seed)).toEqual([0, 1, 2]);
    expect(JSON.stringify(trainAveraged(training, 3, trainMember))).toBe(JSON.stringify(average));
  });

  it('explains additively and round-trips through JSON', () => {
    const test = xorDataset(5, 32);
    const restored = deserializeClassifier(JSON.parse(JSON.stringify(average)));
    expect(restored).toBeInstanceOf(AveragedClassifier);
    for (let r = 0; r < 5; r++) {
      const row = featureRow(test.features, r);
      const { bias, contributions } = average.explain(row);
      expect(bias + contributions.reduce((sum, c) => sum + c, 0)).toBeCloseTo(average.predictLogOdds(row), 10);
      expect(restored.predictProbability(row)).toBe(average.predictProbability(row));
    }
  });

  it('needs at least one member', () => {
    expect(() => new AveragedClassifier([])).toThrow(/at least one member/);
  });
});
