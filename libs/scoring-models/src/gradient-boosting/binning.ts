/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
import type { FeatureMatrix } from '../dataset/feature-matrix';

/**
 * Most non-missing bins a feature can have: bin indices are stored in 16 bits, and a feature's
 * missing values (NaN) take the bin after its last non-missing one.
 */
export const MAX_NON_MISSING_BINS = 65_534;

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

/** Bin of one value: the number of thresholds strictly below it, or for NaN the feature's missing-value bin. */
export function binOf(value: number, thresholds: Float64Array): number {
  if (Number.isNaN(value)) return missingValueBin(thresholds);
  let low = 0;
  let high = thresholds.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (value <= thresholds[middle]!) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** The bin of a feature's missing values: the one after its non-missing bins 0..thresholds.length. */
export function missingValueBin(thresholds: Float64Array): number {
  return thresholds.length + 1;
}

/** One feature's bins for XGBoost's exact greedy splits: its distinct values and the thresholds between them. */
export interface ExactBins {
  /** The distinct training values in float32, as XGBoost stores features, ascending: bin b holds values[b]. */
  readonly values: Float64Array;
  /** thresholds[b] separates values[b] and values[b + 1] as XGBoost's split value does (`xgboostSplitThreshold`). */
  readonly thresholds: Float64Array;
}

/**
 * Bins for XGBoost's exact greedy split finding (`tree_method="exact"`): one bin per distinct
 * value, so every split XGBoost considers is a bin boundary.
 */
export function findExactBins(values: Float64Array): ExactBins {
  const sorted = Float64Array.from(values.filter((v) => !Number.isNaN(v)), Math.fround).sort();
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
  }
  if (distinct.length > MAX_NON_MISSING_BINS) throw new Error(`exact splits need one bin per distinct value: ${distinct.length} exceed ${MAX_NON_MISSING_BINS}`);
  const thresholds = new Float64Array(Math.max(distinct.length - 1, 0));
  for (let i = 0; i < thresholds.length; i++) thresholds[i] = xgboostSplitThreshold(distinct[i]!, distinct[i + 1]!);
  return { values: Float64Array.from(distinct), thresholds };
}

/**
 * XGBoost puts a split between two neighbouring float32 values at their float32 midpoint and sends
 * a row left when float32(x) < that split value. The threshold returned is the largest double x
 * with float32(x) < split value, so that `x ≤ threshold` (the comparison used everywhere here)
 * sends every row, seen in training or not, the way XGBoost does.
 */
export function xgboostSplitThreshold(lower: number, upper: number): number {
  return largestDoubleBelowFloat32(Math.fround(Math.fround(lower + upper) * 0.5));
}

/**
 * The largest double x with Math.fround(x) < f, for a float32 value f (not the smallest one):
 * doubles round to the float32 below f up to the midpoint between the two, and at the midpoint
 * itself to the one with an even significand.
 */
export function largestDoubleBelowFloat32(f: number): number {
  const below = nextFloat32Down(f);
  const midpoint = (below + f) / 2; // exact: two float32 values' mean needs 25 significant bits
  return Math.fround(midpoint) === below ? midpoint : nextDoubleDown(midpoint);
}

const scratch = new DataView(new ArrayBuffer(8));

function nextFloat32Down(f: number): number {
  if (f === 0) return -1.401298464324817e-45;
  scratch.setFloat32(0, f);
  const bits = scratch.getInt32(0);
  scratch.setInt32(0, f > 0 ? bits - 1 : bits + 1);
  return scratch.getFloat32(0);
}

function nextDoubleDown(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  scratch.setFloat64(0, x);
  const bits = scratch.getBigInt64(0);
  scratch.setBigInt64(0, x > 0 ? bits - 1n : bits + 1n);
  return scratch.getFloat64(0);
}

/** Per-feature quantile-bin thresholds (`findBinThresholds`) fitted on the given rows of a matrix. */
export function fitBinThresholds(matrix: FeatureMatrix, rowIndices: ArrayLike<number>, maxBins: number): Float64Array[] {
  return featureColumns(matrix, rowIndices).map((column) => findBinThresholds(column, maxBins));
}

/** Per-feature exact bins (`findExactBins`) fitted on the given rows of a matrix. */
export function fitExactBins(matrix: FeatureMatrix, rowIndices: ArrayLike<number>): ExactBins[] {
  return featureColumns(matrix, rowIndices).map(findExactBins);
}

function featureColumns(matrix: FeatureMatrix, rowIndices: ArrayLike<number>): Float64Array[] {
  const featureCount = matrix.featureNames.length;
  return Array.from({ length: featureCount }, (_, f) => Float64Array.from({ length: rowIndices.length }, (_, k) => matrix.values[rowIndices[k]! * featureCount + f]!));
}

/** The binned rows (row-major, 16 bits per value) of the given rows of a matrix. */
export function binRows(matrix: FeatureMatrix, rowIndices: ArrayLike<number>, thresholds: readonly Float64Array[]): Uint16Array {
  const featureCount = matrix.featureNames.length;
  const binned = new Uint16Array(rowIndices.length * featureCount);
  for (let k = 0; k < rowIndices.length; k++) {
    const source = rowIndices[k]! * featureCount;
    for (let f = 0; f < featureCount; f++) binned[k * featureCount + f] = binOf(matrix.values[source + f]!, thresholds[f]!);
  }
  return binned;
}
