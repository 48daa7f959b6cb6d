import type { FeatureMatrix, LabelledDataset } from './dataset/feature-matrix';

/**
 * A prediction explained in log-odds: `bias` plus the sum of `contributions` (one per feature, in
 * the model's feature order) is the model's log-odds for the row.
 */
export interface FeatureContributions {
  readonly bias: number;
  readonly contributions: Float64Array;
}

/** A trained binary classifier that predicts P(y = 1) and can be stored as JSON. */
export interface ProbabilisticClassifier<Serialized = unknown> {
  readonly kind: string;
  /** The features a row must carry, in this order. */
  readonly featureNames: readonly string[];
  predictProbability(row: ArrayLike<number>): number;
  predictProbabilities(features: FeatureMatrix): Float64Array;
  explain(row: ArrayLike<number>): FeatureContributions;
  toJSON(): Serialized;
}

/** Trains a classifier; the two-model uplift learner takes one of these per arm. */
export type ClassifierTrainer = (dataset: LabelledDataset) => ProbabilisticClassifier;

export function sigmoid(logOdds: number): number {
  return 1 / (1 + Math.exp(-logOdds));
}

export function assertRowWidth(row: ArrayLike<number>, featureNames: readonly string[]): void {
  if (row.length !== featureNames.length) {
    throw new Error(`row has ${row.length} values, the model expects ${featureNames.length} (${featureNames.join(', ')})`);
  }
}

/** A model must be fed the very features it was trained on, in the same order. */
export function assertSameFeatures(features: FeatureMatrix, featureNames: readonly string[]): void {
  const given = features.featureNames;
  if (given.length !== featureNames.length || given.some((name, i) => name !== featureNames[i])) {
    throw new Error(`features [${given.join(', ')}] differ from the model's [${featureNames.join(', ')}]`);
  }
}
