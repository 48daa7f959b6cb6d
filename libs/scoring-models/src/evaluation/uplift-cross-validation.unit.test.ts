import type { FeatureMatrix } from '../dataset/feature-matrix';
import { syntheticExperiment, syntheticUplift } from '../testing/synthetic-data';
import type { ExperimentData, UpliftModel } from '../uplift/uplift-model';
import { chooseAfterConfirmation, chooseUpliftCandidate, crossValidateUplift, summarize, type UpliftCandidate, type UpliftCandidateScore } from './uplift-cross-validation';

/** An "uplift model" that scores a row by a fixed function of its features. */
function scoringModel(featureNames: readonly string[], score: (x1: number) => number, onPredict?: (features: FeatureMatrix) => void): UpliftModel {
  return {
    kind: 'fixed',
    featureNames,
    controlArm: 'control',
    treatmentArms: ['reminder'],
    predictUplift: (row) => ({ reminder: score(row[0]!) }),
    predictArmUplift: (features) => {
      onPredict?.(features);
      return Float64Array.from({ length: features.rowCount }, (_, r) => score(features.values[r * features.featureNames.length]!));
    },
    toJSON: () => ({ kind: 'fixed' }),
  };
}

describe('summarize', () => {
  it('gives the mean, the sample standard deviation and the standard error', () => {
    const summary = summarize([1, 2, 3, 4]);
    expect(summary.mean).toBe(2.5);
    expect(summary.standardDeviation).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(summary.standardError).toBeCloseTo(Math.sqrt(5 / 3) / 2, 12);
  });
});

describe('crossValidateUplift', () => {
  const data = syntheticExperiment(6000, 71, ['control', 'reminder']);
  const oracle: UpliftCandidate = { name: 'oracle', description: 'the true uplift', learn: (d) => scoringModel(d.features.featureNames, (x1) => syntheticUplift('reminder', x1)) };
  const inverted: UpliftCandidate = { name: 'inverted', description: 'minus the true uplift', learn: (d) => scoringModel(d.features.featureNames, (x1) => -syntheticUplift('reminder', x1)) };

  it('scores every candidate on the same held-out folds and compares them with the baseline fold by fold', () => {
    const scores = crossValidateUplift(data, [inverted, oracle], { treatmentArm: 'reminder', k: 0.3, folds: 3, seeds: [1, 2], baseline: 'inverted' });
    const [worse, better] = scores;
    expect(worse!.folds).toHaveLength(6);
    expect(better!.upliftAtK.mean).toBeGreaterThan(0.3);
    expect(better!.qini.mean).toBeGreaterThan(0.1);
    expect(worse!.qini.mean).toBeLessThan(0);
    expect(worse!.upliftAtKVersusBaseline).toEqual({ mean: 0, standardDeviation: 0, standardError: 0 });
    const differences = better!.folds.map((fold, i) => fold.upliftAtK - worse!.folds[i]!.upliftAtK);
    expect(better!.upliftAtKVersusBaseline.mean).toBeCloseTo(summarize(differences).mean, 14);
  });

  it('never lets a learner see the rows it is scored on, and validates each row once per seed', () => {
    // Feature x1 carries the row number, so the learner and the model can tell rows apart.
    const rowCount = 300;
    const numbered: ExperimentData = {
      features: { featureNames: ['row', 'x2'], rowCount, values: Float64Array.from({ length: rowCount * 2 }, (_, i) => (i % 2 === 0 ? i / 2 : 0)) },
      outcomes: Uint8Array.from({ length: rowCount }, (_, i) => i % 3 === 0 ? 1 : 0),
      arms: Array.from({ length: rowCount }, (_, i) => (i % 2 === 0 ? 'reminder' : 'control')),
    };
    const validatedTimes = new Uint8Array(rowCount);
    const spy: UpliftCandidate = {
      name: 'spy',
      description: '',
      learn: (fit) => {
        const seen = new Set(Array.from({ length: fit.features.rowCount }, (_, r) => fit.features.values[r * 2]!));
        return scoringModel(fit.features.featureNames, (x1) => x1, (features) => {
          for (let r = 0; r < features.rowCount; r++) {
            const row = features.values[r * 2]!;
            expect(seen.has(row)).toBe(false);
            validatedTimes[row] = validatedTimes[row]! + 1;
          }
        });
      },
    };
    crossValidateUplift(numbered, [spy], { treatmentArm: 'reminder', k: 0.3, folds: 5, seeds: [3, 4], baseline: 'spy' });
    expect(Array.from(validatedTimes).every((times) => times === 2)).toBe(true);
  });

  it('refuses a baseline that is not among the candidates', () => {
    expect(() => crossValidateUplift(data, [oracle], { treatmentArm: 'reminder', k: 0.3, folds: 3, seeds: [1], baseline: 't-learner' })).toThrow(/baseline "t-learner" is not among/);
  });
});

describe('chooseUpliftCandidate', () => {
  const score = (candidate: string, upliftAtK: number, qini: number): UpliftCandidateScore => {
    const summary = (mean: number) => ({ mean, standardDeviation: 0, standardError: 0 });
    return { candidate, description: '', upliftAtK: summary(upliftAtK), qini: summary(qini), folds: [], upliftAtKVersusBaseline: summary(0), qiniVersusBaseline: summary(0), meanTrainingMilliseconds: 0 };
  };

  it('takes the highest mean uplift@k; on a tie the higher Qini, then the earlier candidate', () => {
    expect(chooseUpliftCandidate([score('a', 0.07, 0.05), score('b', 0.08, 0.01), score('c', 0.075, 0.09)]).candidate).toBe('b');
    expect(chooseUpliftCandidate([score('a', 0.08, 0.05), score('b', 0.08, 0.06)]).candidate).toBe('b');
    expect(chooseUpliftCandidate([score('a', 0.08, 0.06), score('b', 0.08, 0.06)]).candidate).toBe('a');
    expect(() => chooseUpliftCandidate([])).toThrow(/no candidate/);
  });
});

describe('chooseAfterConfirmation', () => {
  const withFolds = (candidate: string, folds: number[]): UpliftCandidateScore => {
    const summary = summarize(folds);
    return { candidate, description: '', upliftAtK: summary, qini: summary, folds: folds.map((u) => ({ upliftAtK: u, qini: 0 })), upliftAtKVersusBaseline: summary, qiniVersusBaseline: summary, meanTrainingMilliseconds: 0 };
  };

  it('takes the finalist with the higher mean over the selection and the fresh folds together', () => {
    // "lucky" led the selection (0.09 vs 0.08) but falls back on fresh folds (0.06 vs 0.08): pooled 0.075 vs 0.08.
    const selection = [withFolds('lucky', [0.1, 0.08]), withFolds('steady', [0.08, 0.08]), withFolds('other', [0.2, 0.2])];
    const confirmation = [withFolds('lucky', [0.06, 0.06]), withFolds('steady', [0.08, 0.08])];
    expect(chooseAfterConfirmation(selection, confirmation, ['lucky', 'steady'])).toEqual({ candidate: 'steady', pooledUpliftAtK: 0.08 });
    expect(chooseAfterConfirmation(selection, [withFolds('lucky', [0.09, 0.09]), withFolds('steady', [0.08, 0.08])], ['lucky', 'steady']).candidate).toBe('lucky');
    expect(() => chooseAfterConfirmation(selection, confirmation, ['other'])).toThrow(/finalist "other" has no score in both runs/);
  });
});
