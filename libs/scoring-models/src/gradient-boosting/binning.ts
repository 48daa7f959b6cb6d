/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
import type { FeatureMatrix } from '../dataset/feature-matrix';

/** Bin index reserved for missing values (NaN); non-missing values use bins 0..254. */
export const MISSING_VALUE_BIN = 255;
/** Most non-missing bins a feature can have, so that a bin index fits in a byte with room for MISSING_VALUE_BIN. */
export const MAX_NON_MISSING_BINS = 255;

/**
 * Bin edges of one feature, as scikit-learn's `_find_binning_thresholds`: with at most `maxBins`
 * distinct values, the midpoints between consecutive distinct values; otherwise the
 * (j / maxBins)-quantiles, j = 1..maxBins−1, by the "midpoint" method. A value x falls into bin
 * b = |{thresholds < x}|, so x ≤ thresholds[b] ⇔ bin(x) ≤ b.
 */
export function findBinThresholds(values: Float64Array, maxBins: number): Float64Array {
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > MAX_NON_MISSING_BINS) {
    throw new Error(`maxBins must be an integer in [2, ${MAX_NON_MISSING_BINS}], got ${maxBins}`);
  }
  const sorted = values.filter((v) => !Number.isNaN(v)).sort();
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
  }
  if (distinct.length <= maxBins) {
    const midpoints = new Float64Array(Math.max(distinct.length - 1, 0));
    for (let i = 0; i < midpoints.length; i++) midpoints[i] = (distinct[i]! + distinct[i + 1]!) * 0.5;
    return midpoints;
  }
  const thresholds = new Float64Array(maxBins - 1);
  const last = sorted.length - 1;
  for (let j = 1; j < maxBins; j++) {
    const position = (j / maxBins) * last;
    const below = Math.floor(position);
    const above = Math.ceil(position);
    thresholds[j - 1] = below === above ? sorted[below]! : (sorted[below]! + sorted[above]!) * 0.5;
  }
  return thresholds;
}

/** Bin of one value: MISSING_VALUE_BIN for NaN, else the number of thresholds strictly below it. */
export function binOf(value: number, thresholds: Float64Array): number {
  if (Number.isNaN(value)) return MISSING_VALUE_BIN;
  let low = 0;
  let high = thresholds.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (value <= thresholds[middle]!) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Per-feature thresholds fitted on the given rows of a matrix. */
export function fitBinThresholds(matrix: FeatureMatrix, rowIndices: ArrayLike<number>, maxBins: number): Float64Array[] {
  const featureCount = matrix.featureNames.length;
  const column = new Float64Array(rowIndices.length);
  const thresholds: Float64Array[] = [];
  for (let f = 0; f < featureCount; f++) {
    for (let k = 0; k < rowIndices.length; k++) column[k] = matrix.values[rowIndices[k]! * featureCount + f]!;
    thresholds.push(findBinThresholds(column, maxBins));
  }
  return thresholds;
}

/** The binned rows (row-major, one byte per value) of the given rows of a matrix. */
export function binRows(matrix: FeatureMatrix, rowIndices: ArrayLike<number>, thresholds: readonly Float64Array[]): Uint8Array {
  const featureCount = matrix.featureNames.length;
  const binned = new Uint8Array(rowIndices.length * featureCount);
  for (let k = 0; k < rowIndices.length; k++) {
    const source = rowIndices[k]! * featureCount;
    for (let f = 0; f < featureCount; f++) binned[k * featureCount + f] = binOf(matrix.values[source + f]!, thresholds[f]!);
  }
  return binned;
}
