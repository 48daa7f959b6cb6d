/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
import { assertValidDataset, type FeatureMatrix } from '../dataset/feature-matrix';

/** Rows of a randomized experiment: features, the 0/1 outcome and the arm each row was assigned to. */
export interface ExperimentData {
  readonly features: FeatureMatrix;
  readonly outcomes: Uint8Array;
  readonly arms: readonly string[];
}

/**
 * What every uplift learner gives: for each treatment arm, the predicted effect of that arm
 * against the control arm on P(y = 1), for one row or for many.
 */
export interface UpliftModel<Serialized = unknown> {
  readonly kind: string;
  readonly featureNames: readonly string[];
  readonly controlArm: string;
  readonly treatmentArms: readonly string[];
  /** The uplift of every treatment arm for one row. */
  predictUplift(row: ArrayLike<number>): Record<string, number>;
  /** One arm's uplift for every row of a matrix. */
  predictArmUplift(features: FeatureMatrix, arm: string): Float64Array;
  toJSON(): Serialized;
}

/** Trains an uplift model on experiment rows; the cross-validation compares learners through this. */
export type UpliftLearner = (data: ExperimentData) => UpliftModel;

/** The arms to learn, checked: the control and every treatment arm have rows, and the control is no treatment. */
export function resolveTreatmentArms(data: ExperimentData, controlArm: string, requested: readonly string[] | undefined): readonly string[] {
  if (data.arms.length !== data.features.rowCount) throw new Error(`${data.arms.length} arm labels for ${data.features.rowCount} rows`);
  assertValidDataset({ features: data.features, labels: data.outcomes });
  const presentArms = [...new Set(data.arms)].sort();
  const treatmentArms = requested ?? presentArms.filter((arm) => arm !== controlArm);
  if (treatmentArms.length === 0) throw new Error('no treatment arm to learn an uplift for');
  for (const arm of [controlArm, ...treatmentArms]) {
    if (!presentArms.includes(arm)) throw new Error(`arm "${arm}" has no rows (arms present: ${presentArms.join(', ')})`);
  }
  if (treatmentArms.includes(controlArm)) throw new Error(`the control arm "${controlArm}" cannot also be a treatment arm`);
  return treatmentArms;
}

/** The experiment rows at the given indices, in that order. */
export function selectExperimentRows(data: ExperimentData, rows: ArrayLike<number>): ExperimentData {
  const width = data.features.featureNames.length;
  const values = new Float64Array(rows.length * width);
  const outcomes = new Uint8Array(rows.length);
  const arms: string[] = [];
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k]!;
    values.set(data.features.values.subarray(row * width, (row + 1) * width), k * width);
    outcomes[k] = data.outcomes[row]!;
    arms.push(data.arms[row]!);
  }
  return { features: { featureNames: data.features.featureNames, rowCount: rows.length, values }, outcomes, arms };
}

/** The rows assigned to one of the given arms, in their original order. */
export function rowsOfArms(data: ExperimentData, arms: readonly string[]): ExperimentData {
  const rows: number[] = [];
  data.arms.forEach((arm, i) => {
    if (arms.includes(arm)) rows.push(i);
  });
  return selectExperimentRows(data, rows);
}

export function assertKnownArm(model: Pick<UpliftModel, 'controlArm' | 'treatmentArms'>, arm: string): void {
  if (!model.treatmentArms.includes(arm)) {
    throw new Error(`no uplift for arm "${arm}" (treatment arms: ${model.treatmentArms.join(', ')}; control: ${model.controlArm})`);
  }
}

/** Rows of one arm over all rows: the arm's propensity in a randomized experiment with these two arms. */
export function treatedShare(data: ExperimentData, treatmentArm: string, controlArm: string): number {
  let treated = 0;
  let control = 0;
  for (const arm of data.arms) {
    if (arm === treatmentArm) treated++;
    else if (arm === controlArm) control++;
  }
  return treated / (treated + control);
}
