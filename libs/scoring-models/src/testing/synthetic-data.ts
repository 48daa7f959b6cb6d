/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
import type { LabelledDataset } from '../dataset/feature-matrix';
import { SeededRandom } from '../random/seeded-random';
import type { ExperimentData } from '../uplift/two-model-uplift';

/** Test data only: rows whose outcome follows a known rule, generated from a seed. */

/** XOR-like: y = 1 when x1 and x2 have the same sign (labels flipped with probability `noise`); x3 is noise. */
export function xorDataset(rowCount: number, seed: number, noise = 0.05): LabelledDataset {
  const random = new SeededRandom(seed);
  const values = new Float64Array(rowCount * 3);
  const labels = new Uint8Array(rowCount);
  for (let r = 0; r < rowCount; r++) {
    const x1 = random.nextFloat() * 2 - 1;
    const x2 = random.nextFloat() * 2 - 1;
    values.set([x1, x2, random.nextFloat()], r * 3);
    const clean = x1 * x2 > 0 ? 1 : 0;
    labels[r] = random.nextFloat() < noise ? 1 - clean : clean;
  }
  return { features: { featureNames: ['x1', 'x2', 'x3'], rowCount, values }, labels };
}

/** A linear logistic model: P(y = 1) = σ(0.5 + 2·x1 − x2), x ~ N(0, 1) by Box–Muller. */
export function linearLogisticDataset(rowCount: number, seed: number): LabelledDataset {
  const random = new SeededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random.nextFloat())) * Math.cos(2 * Math.PI * random.nextFloat());
  const values = new Float64Array(rowCount * 2);
  const labels = new Uint8Array(rowCount);
  for (let r = 0; r < rowCount; r++) {
    const x1 = gaussian();
    const x2 = gaussian();
    values.set([x1, x2], r * 2);
    labels[r] = random.nextFloat() < 1 / (1 + Math.exp(-(0.5 + 2 * x1 - x2))) ? 1 : 0;
  }
  return { features: { featureNames: ['x1', 'x2'], rowCount, values }, labels };
}

/**
 * A randomized experiment with a known effect: response 0.2 under control; arm "reminder" adds 0.4
 * when x1 > 0.5 and nothing otherwise; arm "call" adds 0.2 everywhere. x2 is noise.
 */
export const SYNTHETIC_CONTROL_RESPONSE = 0.2;
export function syntheticUplift(arm: string, x1: number): number {
  if (arm === 'reminder') return x1 > 0.5 ? 0.4 : 0;
  if (arm === 'call') return 0.2;
  return 0;
}

export function syntheticExperiment(rowCount: number, seed: number, arms: readonly string[] = ['control', 'reminder', 'call']): ExperimentData {
  const random = new SeededRandom(seed);
  const values = new Float64Array(rowCount * 2);
  const outcomes = new Uint8Array(rowCount);
  const assigned: string[] = [];
  for (let r = 0; r < rowCount; r++) {
    const x1 = random.nextFloat();
    const x2 = random.nextFloat();
    const arm = arms[random.nextInt(arms.length)]!;
    values.set([x1, x2], r * 2);
    assigned.push(arm);
    outcomes[r] = random.nextFloat() < SYNTHETIC_CONTROL_RESPONSE + syntheticUplift(arm, x1) ? 1 : 0;
  }
  return { features: { featureNames: ['x1', 'x2'], rowCount, values }, outcomes, arms: assigned };
}
