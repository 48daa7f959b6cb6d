/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
/**
 * Rows of numeric features in one row-major Float64Array: value of feature f in row r is
 * `values[r * featureNames.length + f]`. NaN means "missing".
 */
export interface FeatureMatrix {
  readonly featureNames: readonly string[];
  readonly rowCount: number;
  readonly values: Float64Array;
}

/** A feature matrix with one binary outcome (0 or 1) per row. */
export interface LabelledDataset {
  readonly features: FeatureMatrix;
  readonly labels: Uint8Array;
}

export function createFeatureMatrix(featureNames: readonly string[], rows: readonly (readonly number[])[]): FeatureMatrix {
  const featureCount = featureNames.length;
  const values = new Float64Array(rows.length * featureCount);
  rows.forEach((row, r) => {
    if (row.length !== featureCount) throw new Error(`row ${r} has ${row.length} values, expected ${featureCount}`);
    values.set(row, r * featureCount);
  });
  return { featureNames: [...featureNames], rowCount: rows.length, values };
}

export function featureRow(matrix: FeatureMatrix, rowIndex: number): Float64Array {
  const featureCount = matrix.featureNames.length;
  return matrix.values.subarray(rowIndex * featureCount, (rowIndex + 1) * featureCount);
}

/** The rows at the given indices, in that order. */
export function selectRows(dataset: LabelledDataset, rowIndices: ArrayLike<number>): LabelledDataset {
  const featureCount = dataset.features.featureNames.length;
  const values = new Float64Array(rowIndices.length * featureCount);
  const labels = new Uint8Array(rowIndices.length);
  for (let k = 0; k < rowIndices.length; k++) {
    const source = rowIndices[k]!;
    values.set(dataset.features.values.subarray(source * featureCount, (source + 1) * featureCount), k * featureCount);
    labels[k] = dataset.labels[source]!;
  }
  return { features: { featureNames: dataset.features.featureNames, rowCount: rowIndices.length, values }, labels };
}

export function assertValidDataset(dataset: LabelledDataset): void {
  const { features, labels } = dataset;
  if (features.values.length !== features.rowCount * features.featureNames.length) {
    throw new Error(`feature matrix holds ${features.values.length} values, expected ${features.rowCount} × ${features.featureNames.length}`);
  }
  if (labels.length !== features.rowCount) throw new Error(`${labels.length} labels for ${features.rowCount} rows`);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new Error(`label of row ${i} is ${labels[i]}, expected 0 or 1`);
  }
}
