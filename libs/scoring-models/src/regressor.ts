import type { FeatureMatrix } from './dataset/feature-matrix';

/** Real-valued targets, one per row of the feature matrix. */
export interface RegressionDataset {
  readonly features: FeatureMatrix;
  readonly targets: Float64Array;
}

/** A trained regressor of real-valued targets that can be stored as JSON; the uplift meta-learners regress imputed effects with one. */
export interface Regressor<Serialized = unknown> {
  readonly kind: string;
  /** The features a row must carry, in this order. */
  readonly featureNames: readonly string[];
  predict(row: ArrayLike<number>): number;
  predictMany(features: FeatureMatrix): Float64Array;
  toJSON(): Serialized;
}

/** Trains a regressor; the X-learner and the pseudo-outcome learners take one for their effect models. */
export type RegressorTrainer = (dataset: RegressionDataset) => Regressor;

/** Turns a stored regressor back into a model. */
export type RegressorDeserializer = (json: unknown) => Regressor;
