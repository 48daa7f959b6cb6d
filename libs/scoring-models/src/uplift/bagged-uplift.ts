/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
import { SeededRandom } from '../random/seeded-random';
import { AveragedUpliftModel } from './averaged-uplift';
import { selectExperimentRows, type ExperimentData, type UpliftLearner } from './uplift-model';

/**
 * A bootstrap resample of experiment rows, drawn per arm: each arm keeps its row count, its rows
 * drawn with replacement from the arm's own rows (so the arms' shares, the propensities, stay the
 * same). Returned in ascending order of the original rows, so the result depends on the seed only.
 */
export function bootstrapExperiment(data: ExperimentData, seed: number): ExperimentData {
  const random = new SeededRandom(seed);
  const rowsByArm = new Map<string, number[]>();
  data.arms.forEach((arm, row) => {
    const rows = rowsByArm.get(arm);
    if (rows) rows.push(row);
    else rowsByArm.set(arm, [row]);
  });
  const drawn: number[] = [];
  for (const arm of [...rowsByArm.keys()].sort()) {
    const rows = rowsByArm.get(arm)!;
    for (let k = 0; k < rows.length; k++) drawn.push(rows[random.nextInt(rows.length)]!);
  }
  return selectExperimentRows(data, Uint32Array.from(drawn).sort());
}

export interface BaggedUpliftOptions {
  /** How many bootstrap resamples, each with its own learner fit. */
  readonly members: number;
  /** Member m is fitted on `bootstrapExperiment(data, seed + m)`. */
  readonly seed?: number;
}

/**
 * Bootstrap aggregation (Breiman's bagging) of an uplift learner: the learner is fitted on
 * `members` bootstrap resamples of the rows and the uplifts are averaged, which lowers the variance
 * of a learner whose fit moves a lot with the sample (as uplift, a difference of two fits, does).
 */
export function trainBaggedUplift(data: ExperimentData, learner: UpliftLearner, options: BaggedUpliftOptions): AveragedUpliftModel {
  const { members, seed = 0 } = options;
  if (!Number.isInteger(members) || members < 1) throw new Error(`members must be a positive integer, got ${members}`);
  return new AveragedUpliftModel(Array.from({ length: members }, (_, m) => learner(bootstrapExperiment(data, seed + m))));
}
