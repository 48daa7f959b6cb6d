/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
import { qiniAucScore, upliftAtK } from '../metrics/uplift-metrics';
import { selectExperimentRows, type ExperimentData, type UpliftLearner } from '../uplift/uplift-model';
import { kFoldAssignments } from './model-selection';

export interface UpliftCandidate {
  readonly name: string;
  readonly description: string;
  readonly learn: UpliftLearner;
}

export interface Summary {
  readonly mean: number;
  /** Standard deviation over folds. */
  readonly standardDeviation: number;
  /** Standard deviation of the mean, as if the folds were independent (they are not quite: they share training rows). */
  readonly standardError: number;
}

export interface UpliftCandidateScore {
  readonly candidate: string;
  readonly description: string;
  readonly upliftAtK: Summary;
  readonly qini: Summary;
  /** Per fold, in (seed, fold) order: uplift@k and Qini on the held-out fold. */
  readonly folds: readonly { readonly upliftAtK: number; readonly qini: number }[];
  /** The candidate's uplift@k minus the baseline's, fold by fold (paired: same folds), summarized. */
  readonly upliftAtKVersusBaseline: Summary;
  readonly qiniVersusBaseline: Summary;
  /** Mean wall time of one fit, by the injected clock (0 without one). */
  readonly meanTrainingMilliseconds: number;
}

export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  const variance = n > 1 ? values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1) : 0;
  const standardDeviation = Math.sqrt(variance);
  return { mean, standardDeviation, standardError: standardDeviation / Math.sqrt(n) };
}

export interface UpliftCrossValidationOptions {
  readonly treatmentArm: string;
  readonly k: number;
  readonly folds: number;
  readonly seeds: readonly number[];
  /** The candidate the others are compared with, fold by fold. */
  readonly baseline: string;
  readonly clock?: () => number;
  /** Called after each fold, e.g. to print progress. */
  readonly onFold?: (seed: number, fold: number) => void;
}

/**
 * k-fold cross-validation of uplift learners on training rows only (the test rows are never passed
 * in), repeated over several fold seeds. Every candidate sees the very same folds, so differences
 * between candidates can be judged fold by fold, which cancels most of the fold-to-fold noise.
 */
export function crossValidateUplift(training: ExperimentData, candidates: readonly UpliftCandidate[], options: UpliftCrossValidationOptions): UpliftCandidateScore[] {
  if (!candidates.some((candidate) => candidate.name === options.baseline)) throw new Error(`the baseline "${options.baseline}" is not among the candidates`);
  const scores = candidates.map(() => ({ upliftAtK: [] as number[], qini: [] as number[], milliseconds: 0, fits: 0 }));
  const clock = options.clock ?? (() => 0);
  for (const seed of options.seeds) {
    const assignment = kFoldAssignments(training.features.rowCount, options.folds, seed);
    for (let fold = 0; fold < options.folds; fold++) {
      const trainingRows: number[] = [];
      const validationRows: number[] = [];
      assignment.forEach((rowFold, row) => (rowFold === fold ? validationRows : trainingRows).push(row));
      const fit = selectExperimentRows(training, trainingRows);
      const validation = selectExperimentRows(training, validationRows);
      const treatment = Uint8Array.from(validation.arms, (arm) => (arm === options.treatmentArm ? 1 : 0));
      candidates.forEach((candidate, c) => {
        const started = clock();
        const model = candidate.learn(fit);
        scores[c]!.milliseconds += clock() - started;
        scores[c]!.fits++;
        const uplift = model.predictArmUplift(validation.features, options.treatmentArm);
        scores[c]!.upliftAtK.push(upliftAtK(validation.outcomes, uplift, treatment, options.k));
        scores[c]!.qini.push(qiniAucScore(validation.outcomes, uplift, treatment));
      });
      options.onFold?.(seed, fold);
    }
  }
  const baseline = scores[candidates.findIndex((candidate) => candidate.name === options.baseline)]!;
  return candidates.map((candidate, c) => {
    const own = scores[c]!;
    return {
      candidate: candidate.name,
      description: candidate.description,
      upliftAtK: summarize(own.upliftAtK),
      qini: summarize(own.qini),
      folds: own.upliftAtK.map((u, i) => ({ upliftAtK: u, qini: own.qini[i]! })),
      upliftAtKVersusBaseline: summarize(own.upliftAtK.map((u, i) => u - baseline.upliftAtK[i]!)),
      qiniVersusBaseline: summarize(own.qini.map((q, i) => q - baseline.qini[i]!)),
      meanTrainingMilliseconds: own.milliseconds / own.fits,
    };
  });
}

/**
 * The selection rule, fixed before any candidate was scored: the highest mean cross-validated
 * uplift@k (the metric of the target); a tie within 10⁻⁹ goes to the higher mean Qini, then to the
 * earlier candidate in the list.
 */
export function chooseUpliftCandidate(scores: readonly UpliftCandidateScore[]): UpliftCandidateScore {
  if (scores.length === 0) throw new Error('no candidate to choose from');
  return scores.reduce((best, score) => {
    const difference = score.upliftAtK.mean - best.upliftAtK.mean;
    if (difference > 1e-9) return score;
    if (difference >= -1e-9 && score.qini.mean > best.qini.mean) return score;
    return best;
  });
}

/**
 * The final choice among finalists re-scored on fresh folds: the highest mean uplift@k over the
 * selection folds and the confirmation folds together. The selection run's best is partly luck
 * (the best of many noisy means is biased upwards); the fresh folds carry no such bias, and pooling
 * keeps every fold's evidence.
 */
export function chooseAfterConfirmation(selection: readonly UpliftCandidateScore[], confirmation: readonly UpliftCandidateScore[], finalists: readonly string[]): { readonly candidate: string; readonly pooledUpliftAtK: number } {
  if (finalists.length === 0) throw new Error('no finalist to choose from');
  const pooled = finalists.map((candidate) => {
    const folds = [selection, confirmation].flatMap((scores) => {
      const score = scores.find((s) => s.candidate === candidate);
      if (!score) throw new Error(`finalist "${candidate}" has no score in both runs`);
      return score.folds.map((fold) => fold.upliftAtK);
    });
    return { candidate, pooledUpliftAtK: summarize(folds).mean };
  });
  return pooled.reduce((best, next) => (next.pooledUpliftAtK > best.pooledUpliftAtK + 1e-9 ? next : best));
}
