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
import { SeededRandom } from '../random/seeded-random';
import { binRows, fitBinThresholds, MISSING_VALUE_BIN } from './binning';
import { TreeGrower, type GrownTree } from './tree-grower';

/** Defaults are those of scikit-learn's HistGradientBoostingClassifier. */
export interface GradientBoostingOptions {
  readonly learningRate: number;
  readonly maxIterations: number;
  readonly maxLeafNodes: number;
  /** null: depth is bounded by maxLeafNodes only. */
  readonly maxDepth: number | null;
  readonly minSamplesLeaf: number;
  readonly l2Regularization: number;
  /** Non-missing bins per feature, at most 255 (the 256th byte value marks a missing value). */
  readonly maxBins: number;
  /** 'auto': on when the data has more than 10,000 rows. */
  readonly earlyStopping: 'auto' | boolean;
  readonly validationFraction: number;
  /** Stop when the validation loss has not improved by more than `tolerance` for this many iterations. */
  readonly iterationsWithoutImprovement: number;
  readonly tolerance: number;
  readonly seed: number;
}

export const DEFAULT_GRADIENT_BOOSTING_OPTIONS: GradientBoostingOptions = {
  learningRate: 0.1,
  maxIterations: 100,
  maxLeafNodes: 31,
  maxDepth: null,
  minSamplesLeaf: 20,
  l2Regularization: 0,
  maxBins: 255,
  earlyStopping: 'auto',
  validationFraction: 0.1,
  iterationsWithoutImprovement: 10,
  tolerance: 1e-7,
  seed: 0,
};

const EARLY_STOPPING_AUTO_ROW_COUNT = 10_000;
const MIN_HESSIAN_TO_SPLIT = 1e-3;

const optionsSchema = z.object({
  learningRate: z.number().positive(),
  maxIterations: z.number().int().positive(),
  maxLeafNodes: z.number().int().min(2),
  maxDepth: z.number().int().positive().nullable(),
  minSamplesLeaf: z.number().int().positive(),
  l2Regularization: z.number().min(0),
  maxBins: z.number().int().min(2).max(255),
  earlyStopping: z.union([z.literal('auto'), z.boolean()]),
  validationFraction: z.number().gt(0).lt(1),
  iterationsWithoutImprovement: z.number().int().positive(),
  tolerance: z.number().min(0),
  seed: z.number().int(),
});

const serializedSchema = z.object({
  kind: z.literal('gradient-boosting'),
  formatVersion: z.literal(1),
  featureNames: z.array(z.string()).min(1),
  baselineLogOdds: z.number(),
  options: optionsSchema,
  training: z.object({
    rowCount: z.number().int(),
    trainingRowCount: z.number().int(),
    validationRowCount: z.number().int(),
    iterations: z.number().int(),
    stoppedEarly: z.boolean(),
    validationLoss: z.array(z.number()),
  }),
  trees: z.object({
    roots: z.array(z.number().int().min(0)),
    feature: z.array(z.number().int().min(-1)),
    threshold: z.array(z.number()),
    missingGoesLeft: z.array(z.union([z.literal(0), z.literal(1)])),
    left: z.array(z.number().int().min(-1)),
    right: z.array(z.number().int().min(-1)),
    value: z.array(z.number()),
  }),
});

export type SerializedGradientBoosting = z.infer<typeof serializedSchema>;
export type GradientBoostingTrainingSummary = SerializedGradientBoosting['training'];

/** All trees in flat typed arrays; child indices are global, and a leaf has feature −1. */
interface Forest {
  readonly roots: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly missingGoesLeft: Uint8Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
}

/** A gradient-boosted ensemble of regression trees on the log-odds of y = 1. */
export class GradientBoostingClassifier implements ProbabilisticClassifier<SerializedGradientBoosting> {
  readonly kind = 'gradient-boosting';

  private constructor(
    readonly featureNames: readonly string[],
    private readonly baselineLogOdds: number,
    readonly options: GradientBoostingOptions,
    readonly training: GradientBoostingTrainingSummary,
    private readonly forest: Forest,
  ) {}

  static fromJSON(json: unknown): GradientBoostingClassifier {
    const parsed = serializedSchema.parse(json);
    const { trees, featureNames } = parsed;
    const nodeCount = trees.feature.length;
    for (const column of ['threshold', 'missingGoesLeft', 'left', 'right', 'value'] as const) {
      if (trees[column].length !== nodeCount) throw new Error(`trees.${column} has ${trees[column].length} entries, expected ${nodeCount}`);
    }
    for (let node = 0; node < nodeCount; node++) {
      const feature = trees.feature[node]!;
      if (feature >= featureNames.length) throw new Error(`node ${node} splits on feature ${feature}, the model has ${featureNames.length}`);
      // Children always come after their parent, so every walk from a root ends at a leaf.
      if (feature >= 0 && !(trees.left[node]! > node && trees.right[node]! > node && trees.left[node]! < nodeCount && trees.right[node]! < nodeCount)) {
        throw new Error(`node ${node} has invalid children ${trees.left[node]}, ${trees.right[node]}`);
      }
    }
    if (trees.roots.some((root) => root >= nodeCount)) throw new Error('a tree root lies outside the node arrays');
    return new GradientBoostingClassifier(featureNames, parsed.baselineLogOdds, parsed.options, parsed.training, {
      roots: Int32Array.from(trees.roots),
      feature: Int32Array.from(trees.feature),
      threshold: Float64Array.from(trees.threshold),
      missingGoesLeft: Uint8Array.from(trees.missingGoesLeft),
      left: Int32Array.from(trees.left),
      right: Int32Array.from(trees.right),
      value: Float64Array.from(trees.value),
    });
  }

  /** @internal used by the trainer */
  static fromForest(
    featureNames: readonly string[],
    baselineLogOdds: number,
    options: GradientBoostingOptions,
    training: GradientBoostingTrainingSummary,
    trees: readonly GrownTree[],
  ): GradientBoostingClassifier {
    return new GradientBoostingClassifier(featureNames, baselineLogOdds, options, training, flattenTrees(trees));
  }

  get treeCount(): number {
    return this.forest.roots.length;
  }

  predictLogOdds(row: ArrayLike<number>): number {
    assertRowWidth(row, this.featureNames);
    const { roots, feature, threshold, missingGoesLeft, left, right, value } = this.forest;
    let logOdds = this.baselineLogOdds;
    for (let t = 0; t < roots.length; t++) {
      let node = roots[t]!;
      let splitFeature = feature[node]!;
      while (splitFeature >= 0) {
        const x = row[splitFeature]!;
        const goesLeft = Number.isNaN(x) ? missingGoesLeft[node] === 1 : x <= threshold[node]!;
        node = goesLeft ? left[node]! : right[node]!;
        splitFeature = feature[node]!;
      }
      logOdds += value[node]!;
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

  /** Per-feature contributions along each tree's decision path (Saabas): the change in node value at each split. */
  explain(row: ArrayLike<number>): FeatureContributions {
    assertRowWidth(row, this.featureNames);
    const { roots, feature, threshold, missingGoesLeft, left, right, value } = this.forest;
    const contributions = new Float64Array(this.featureNames.length);
    let bias = this.baselineLogOdds;
    for (let t = 0; t < roots.length; t++) {
      let node = roots[t]!;
      bias += value[node]!;
      while (feature[node]! >= 0) {
        const splitFeature = feature[node]!;
        const x = row[splitFeature]!;
        const goesLeft = Number.isNaN(x) ? missingGoesLeft[node] === 1 : x <= threshold[node]!;
        const child = goesLeft ? left[node]! : right[node]!;
        contributions[splitFeature] = contributions[splitFeature]! + value[child]! - value[node]!;
        node = child;
      }
    }
    return { bias, contributions };
  }

  toJSON(): SerializedGradientBoosting {
    const { roots, feature, threshold, missingGoesLeft, left, right, value } = this.forest;
    return {
      kind: 'gradient-boosting',
      formatVersion: 1,
      featureNames: [...this.featureNames],
      baselineLogOdds: this.baselineLogOdds,
      options: { ...this.options },
      training: { ...this.training, validationLoss: [...this.training.validationLoss] },
      trees: {
        roots: Array.from(roots),
        feature: Array.from(feature),
        threshold: Array.from(threshold),
        missingGoesLeft: Array.from(missingGoesLeft, (flag) => (flag === 1 ? 1 : 0)),
        left: Array.from(left),
        right: Array.from(right),
        value: Array.from(value),
      },
    };
  }
}

function flattenTrees(trees: readonly GrownTree[]): Forest {
  const nodeCount = trees.reduce((total, tree) => total + tree.feature.length, 0);
  const forest: Forest = {
    roots: new Int32Array(trees.length),
    feature: new Int32Array(nodeCount),
    threshold: new Float64Array(nodeCount),
    missingGoesLeft: new Uint8Array(nodeCount),
    left: new Int32Array(nodeCount),
    right: new Int32Array(nodeCount),
    value: new Float64Array(nodeCount),
  };
  let offset = 0;
  trees.forEach((tree, t) => {
    forest.roots[t] = offset;
    for (let i = 0; i < tree.feature.length; i++) {
      const isLeaf = tree.feature[i]! < 0;
      forest.feature[offset + i] = tree.feature[i]!;
      forest.threshold[offset + i] = tree.threshold[i]!;
      forest.missingGoesLeft[offset + i] = tree.missingGoesLeft[i]! ? 1 : 0;
      forest.left[offset + i] = isLeaf ? -1 : offset + tree.left[i]!;
      forest.right[offset + i] = isLeaf ? -1 : offset + tree.right[i]!;
      forest.value[offset + i] = tree.value[i]!;
    }
    offset += tree.feature.length;
  });
  return forest;
}

/** Mean binomial log loss of log-odds predictions, computed without overflow. */
function meanLogLossOfLogOdds(labels: Uint8Array, logOdds: Float64Array): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const z = logOdds[i]!;
    const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    total += softplus - labels[i]! * z;
  }
  return total / labels.length;
}

/** A stratified split: the same share of each class goes to validation. */
function stratifiedValidationSplit(labels: Uint8Array, fraction: number, random: SeededRandom): { training: Uint32Array; validation: Uint32Array } {
  const training: number[] = [];
  const validation: number[] = [];
  for (const label of [0, 1]) {
    const rows = Uint32Array.from(labels.keys()).filter((i) => labels[i] === label);
    random.shuffle(rows);
    const validationCount = Math.round(rows.length * fraction);
    rows.forEach((row, k) => (k < validationCount ? validation : training).push(row));
  }
  const ascending = (a: number, b: number) => a - b;
  return { training: Uint32Array.from(training.sort(ascending)), validation: Uint32Array.from(validation.sort(ascending)) };
}

/**
 * scikit-learn's rule: stop when none of the last `patience` validation scores beat the score
 * `patience + 1` iterations back by more than `tolerance`. Scores are negative losses.
 */
function shouldStop(scores: readonly number[], patience: number, tolerance: number): boolean {
  const referencePosition = patience + 1;
  if (scores.length < referencePosition) return false;
  const referenceScore = scores[scores.length - referencePosition]! + tolerance;
  return !scores.slice(scores.length - referencePosition + 1).some((score) => score > referenceScore);
}

function predictBinned(tree: GrownTree, binned: Uint8Array, featureCount: number, row: number): number {
  let node = 0;
  while (tree.feature[node]! >= 0) {
    const bin = binned[row * featureCount + tree.feature[node]!]!;
    const goesLeft = bin === MISSING_VALUE_BIN ? tree.missingGoesLeft[node]! : bin <= tree.binThreshold[node]!;
    node = goesLeft ? tree.left[node]! : tree.right[node]! ;
  }
  return tree.value[node]!;
}

/**
 * Gradient boosting with the binomial log loss, in the manner of scikit-learn's
 * HistGradientBoostingClassifier: quantile-binned features, histogram split finding, leaf-wise trees,
 * Newton leaf values, shrinkage and early stopping on a held-out validation share.
 */
export function trainGradientBoosting(dataset: LabelledDataset, overrides: Partial<GradientBoostingOptions> = {}): GradientBoostingClassifier {
  assertValidDataset(dataset);
  const options = optionsSchema.parse({ ...DEFAULT_GRADIENT_BOOSTING_OPTIONS, ...overrides }) as GradientBoostingOptions;
  const { features, labels } = dataset;
  const featureCount = features.featureNames.length;
  if (features.rowCount < 2) throw new Error('gradient boosting needs at least two rows');
  const random = new SeededRandom(options.seed);
  const earlyStopping = options.earlyStopping === 'auto' ? features.rowCount > EARLY_STOPPING_AUTO_ROW_COUNT : options.earlyStopping;
  const split = earlyStopping
    ? stratifiedValidationSplit(labels, options.validationFraction, random)
    : { training: Uint32Array.from(labels.keys()), validation: new Uint32Array(0) };

  const binThresholds = fitBinThresholds(features, split.training, options.maxBins);
  const trainingBinned = binRows(features, split.training, binThresholds);
  const validationBinned = binRows(features, split.validation, binThresholds);
  const trainingLabels = Uint8Array.from(split.training, (row) => labels[row]!);
  const validationLabels = Uint8Array.from(split.validation, (row) => labels[row]!);
  const trainingRowCount = split.training.length;

  let positives = 0;
  for (const label of trainingLabels) positives += label;
  const positiveRate = Math.min(Math.max(positives / trainingRowCount, 1e-15), 1 - 1e-15);
  const baselineLogOdds = Math.log(positiveRate / (1 - positiveRate));

  const grower = new TreeGrower(
    {
      binned: trainingBinned,
      rowCount: trainingRowCount,
      featureCount,
      nonMissingBinCounts: Int32Array.from(binThresholds, (thresholds) => thresholds.length + 1),
      binThresholds,
    },
    {
      maxLeafNodes: options.maxLeafNodes,
      maxDepth: options.maxDepth,
      minSamplesLeaf: options.minSamplesLeaf,
      minHessianToSplit: MIN_HESSIAN_TO_SPLIT,
      l2Regularization: options.l2Regularization,
      shrinkage: options.learningRate,
    },
  );

  const trainingLogOdds = new Float64Array(trainingRowCount).fill(baselineLogOdds);
  const validationLogOdds = new Float64Array(split.validation.length).fill(baselineLogOdds);
  const gradients = new Float64Array(trainingRowCount);
  const hessians = new Float64Array(trainingRowCount);
  const validationLoss: number[] = [];
  const scores: number[] = [];
  if (earlyStopping) {
    validationLoss.push(meanLogLossOfLogOdds(validationLabels, validationLogOdds));
    scores.push(-validationLoss[0]!);
  }
  const trees: GrownTree[] = [];
  let stoppedEarly = false;
  for (let iteration = 0; iteration < options.maxIterations; iteration++) {
    for (let i = 0; i < trainingRowCount; i++) {
      const p = sigmoid(trainingLogOdds[i]!);
      gradients[i] = p - trainingLabels[i]!;
      hessians[i] = p * (1 - p);
    }
    const tree = grower.grow(gradients, hessians, (value, rows) => {
      for (let k = 0; k < rows.length; k++) trainingLogOdds[rows[k]!] = trainingLogOdds[rows[k]!]! + value;
    });
    trees.push(tree);
    if (!earlyStopping) continue;
    for (let j = 0; j < validationLogOdds.length; j++) validationLogOdds[j] = validationLogOdds[j]! + predictBinned(tree, validationBinned, featureCount, j);
    const loss = meanLogLossOfLogOdds(validationLabels, validationLogOdds);
    validationLoss.push(loss);
    scores.push(-loss);
    if (shouldStop(scores, options.iterationsWithoutImprovement, options.tolerance)) {
      stoppedEarly = true;
      break;
    }
  }
  return GradientBoostingClassifier.fromForest(
    features.featureNames,
    baselineLogOdds,
    options,
    {
      rowCount: features.rowCount,
      trainingRowCount,
      validationRowCount: split.validation.length,
      iterations: trees.length,
      stoppedEarly,
      validationLoss,
    },
    trees,
  );
}
