/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
import { z } from 'zod';
import {
  assertRowWidth,
  assertSameFeatures,
  sigmoid,
  type FeatureContributions,
  type ProbabilisticClassifier,
} from '../classifier';
import { assertValidDataset, type FeatureMatrix, type LabelledDataset } from '../dataset/feature-matrix';

export interface LogisticRegressionOptions {
  /** Strength λ of the penalty λ/2·‖w‖² on the standardized coefficients (the intercept is not penalized); scikit-learn's C = 1/λ. */
  readonly l2Regularization: number;
  readonly maxIterations: number;
  /** Newton iterations stop when no coefficient moves by more than this. */
  readonly tolerance: number;
}

export const DEFAULT_LOGISTIC_REGRESSION_OPTIONS: LogisticRegressionOptions = {
  l2Regularization: 1,
  maxIterations: 100,
  tolerance: 1e-10,
};

const optionsSchema = z.object({
  l2Regularization: z.number().min(0),
  maxIterations: z.number().int().positive(),
  tolerance: z.number().positive(),
});

const serializedSchema = z.object({
  kind: z.literal('logistic-regression'),
  formatVersion: z.literal(1),
  featureNames: z.array(z.string()).min(1),
  options: optionsSchema,
  /** Per feature: the training mean and standard deviation used to standardize it. */
  means: z.array(z.number()),
  scales: z.array(z.number().positive()),
  intercept: z.number(),
  /** Coefficients on the standardized features: log-odds change per standard deviation. */
  coefficients: z.array(z.number()),
  training: z.object({ rowCount: z.number().int(), iterations: z.number().int(), converged: z.boolean() }),
});

export type SerializedLogisticRegression = z.infer<typeof serializedSchema>;

/**
 * L2-regularized logistic regression on standardized features: the transparent baseline. A missing
 * value (NaN) counts as the training mean, i.e. contributes nothing.
 */
export class LogisticRegressionClassifier implements ProbabilisticClassifier<SerializedLogisticRegression> {
  readonly kind = 'logistic-regression';

  private constructor(
    readonly featureNames: readonly string[],
    readonly options: LogisticRegressionOptions,
    private readonly means: Float64Array,
    private readonly scales: Float64Array,
    readonly intercept: number,
    private readonly standardizedCoefficients: Float64Array,
    readonly training: SerializedLogisticRegression['training'],
  ) {}

  static fromJSON(json: unknown): LogisticRegressionClassifier {
    const parsed = serializedSchema.parse(json);
    const width = parsed.featureNames.length;
    for (const column of ['means', 'scales', 'coefficients'] as const) {
      if (parsed[column].length !== width) throw new Error(`${column} has ${parsed[column].length} entries, expected ${width}`);
    }
    return new LogisticRegressionClassifier(
      parsed.featureNames,
      parsed.options,
      Float64Array.from(parsed.means),
      Float64Array.from(parsed.scales),
      parsed.intercept,
      Float64Array.from(parsed.coefficients),
      parsed.training,
    );
  }

  /** @internal used by the trainer */
  static fromParameters(
    featureNames: readonly string[],
    options: LogisticRegressionOptions,
    means: Float64Array,
    scales: Float64Array,
    intercept: number,
    coefficients: Float64Array,
    training: SerializedLogisticRegression['training'],
  ): LogisticRegressionClassifier {
    return new LogisticRegressionClassifier(featureNames, options, means, scales, intercept, coefficients, training);
  }

  /** Coefficients per standard deviation of each feature, in feature order. */
  get coefficients(): Float64Array {
    return this.standardizedCoefficients.slice();
  }

  explain(row: ArrayLike<number>): FeatureContributions {
    assertRowWidth(row, this.featureNames);
    const contributions = new Float64Array(this.featureNames.length);
    for (let f = 0; f < contributions.length; f++) {
      const x = row[f]!;
      contributions[f] = Number.isNaN(x) ? 0 : (this.standardizedCoefficients[f]! * (x - this.means[f]!)) / this.scales[f]!;
    }
    return { bias: this.intercept, contributions };
  }

  predictLogOdds(row: ArrayLike<number>): number {
    assertRowWidth(row, this.featureNames);
    let logOdds = this.intercept;
    for (let f = 0; f < this.featureNames.length; f++) {
      const x = row[f]!;
      if (!Number.isNaN(x)) logOdds += (this.standardizedCoefficients[f]! * (x - this.means[f]!)) / this.scales[f]!;
    }
    return logOdds;
  }

  predictProbability(row: ArrayLike<number>): number {
    return sigmoid(this.predictLogOdds(row));
  }

  predictProbabilities(features: FeatureMatrix): Float64Array {
    assertSameFeatures(features, this.featureNames);
    const width = this.featureNames.length;
    const probabilities = new Float64Array(features.rowCount);
    for (let r = 0; r < features.rowCount; r++) {
      probabilities[r] = this.predictProbability(features.values.subarray(r * width, (r + 1) * width));
    }
    return probabilities;
  }

  toJSON(): SerializedLogisticRegression {
    return {
      kind: 'logistic-regression',
      formatVersion: 1,
      featureNames: [...this.featureNames],
      options: { ...this.options },
      means: Array.from(this.means),
      scales: Array.from(this.scales),
      intercept: this.intercept,
      coefficients: Array.from(this.standardizedCoefficients),
      training: { ...this.training },
    };
  }
}

/** Solves A·x = b for a symmetric positive definite A (row-major, n×n) by Cholesky decomposition. */
export function solveSymmetricPositiveDefinite(matrix: Float64Array, rhs: Float64Array): Float64Array {
  const n = rhs.length;
  const lower = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= lower[i * n + k]! * lower[j * n + k]!;
      if (i === j) {
        if (!(sum > 0)) throw new Error('matrix is not positive definite');
        lower[i * n + i] = Math.sqrt(sum);
      } else {
        lower[i * n + j] = sum / lower[j * n + j]!;
      }
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = rhs[i]!;
    for (let k = 0; k < i; k++) sum -= lower[i * n + k]! * y[k]!;
    y[i] = sum / lower[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= lower[k * n + i]! * x[k]!;
    x[i] = sum / lower[i * n + i]!;
  }
  return x;
}

/**
 * Fits by Newton's method (iteratively reweighted least squares) with step halving, on features
 * standardized to mean 0 and standard deviation 1 over the training rows (a constant feature keeps scale 1).
 */
export function trainLogisticRegression(dataset: LabelledDataset, overrides: Partial<LogisticRegressionOptions> = {}): LogisticRegressionClassifier {
  assertValidDataset(dataset);
  const options = optionsSchema.parse({ ...DEFAULT_LOGISTIC_REGRESSION_OPTIONS, ...overrides }) as LogisticRegressionOptions;
  const { features, labels } = dataset;
  const width = features.featureNames.length;
  const rows = features.rowCount;
  if (rows === 0) throw new Error('logistic regression needs at least one row');

  const means = new Float64Array(width);
  const scales = new Float64Array(width);
  for (let f = 0; f < width; f++) {
    let count = 0;
    let sum = 0;
    for (let r = 0; r < rows; r++) {
      const x = features.values[r * width + f]!;
      if (!Number.isNaN(x)) {
        sum += x;
        count++;
      }
    }
    const mean = count > 0 ? sum / count : 0;
    let squares = 0;
    for (let r = 0; r < rows; r++) {
      const x = features.values[r * width + f]!;
      if (!Number.isNaN(x)) squares += (x - mean) * (x - mean);
    }
    const deviation = count > 0 ? Math.sqrt(squares / count) : 0;
    means[f] = mean;
    scales[f] = deviation > 0 ? deviation : 1;
  }

  // Design matrix with a leading column of ones for the intercept.
  const columns = width + 1;
  const design = new Float64Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    design[r * columns] = 1;
    for (let f = 0; f < width; f++) {
      const x = features.values[r * width + f]!;
      design[r * columns + f + 1] = Number.isNaN(x) ? 0 : (x - means[f]!) / scales[f]!;
    }
  }

  const lambda = options.l2Regularization;
  const objective = (weights: Float64Array): number => {
    let total = 0;
    for (let r = 0; r < rows; r++) {
      let z = 0;
      for (let c = 0; c < columns; c++) z += design[r * columns + c]! * weights[c]!;
      total += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - labels[r]! * z;
    }
    for (let c = 1; c < columns; c++) total += 0.5 * lambda * weights[c]! * weights[c]!;
    return total;
  };

  let weights = new Float64Array(columns);
  let currentObjective = objective(weights);
  let iterations = 0;
  let converged = false;
  const gradient = new Float64Array(columns);
  const hessian = new Float64Array(columns * columns);
  while (iterations < options.maxIterations && !converged) {
    iterations++;
    gradient.fill(0);
    hessian.fill(0);
    for (let r = 0; r < rows; r++) {
      const offset = r * columns;
      let z = 0;
      for (let c = 0; c < columns; c++) z += design[offset + c]! * weights[c]!;
      const p = sigmoid(z);
      const residual = p - labels[r]!;
      const weight = p * (1 - p);
      for (let i = 0; i < columns; i++) {
        const xi = design[offset + i]!;
        gradient[i] = gradient[i]! + residual * xi;
        const weighted = weight * xi;
        for (let j = 0; j <= i; j++) hessian[i * columns + j] = hessian[i * columns + j]! + weighted * design[offset + j]!;
      }
    }
    for (let i = 0; i < columns; i++) {
      for (let j = 0; j < i; j++) hessian[j * columns + i] = hessian[i * columns + j]!;
    }
    for (let c = 1; c < columns; c++) {
      gradient[c] = gradient[c]! + lambda * weights[c]!;
      hessian[c * columns + c] = hessian[c * columns + c]! + lambda;
    }
    // A tiny ridge keeps the intercept's system solvable when every label is the same.
    hessian[0] = hessian[0]! + 1e-12;
    const step = solveSymmetricPositiveDefinite(hessian, gradient);
    let stepSize = 1;
    let candidate = weights;
    let candidateObjective = Infinity;
    for (let halving = 0; halving < 30; halving++) {
      candidate = weights.map((w, c) => w - stepSize * step[c]!);
      candidateObjective = objective(candidate);
      if (candidateObjective <= currentObjective) break;
      stepSize /= 2;
    }
    const largestMove = step.reduce((largest, s) => Math.max(largest, Math.abs(stepSize * s)), 0);
    if (candidateObjective <= currentObjective) {
      weights = candidate;
      currentObjective = candidateObjective;
    }
    converged = largestMove < options.tolerance || candidateObjective > currentObjective;
  }

  return LogisticRegressionClassifier.fromParameters(features.featureNames, options, means, scales, weights[0]!, weights.slice(1), {
    rowCount: rows,
    iterations,
    converged,
  });
}
