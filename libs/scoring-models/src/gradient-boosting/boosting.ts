/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
import { z } from 'zod';
import { sigmoid } from '../classifier';
import type { FeatureMatrix } from '../dataset/feature-matrix';
import { SeededRandom } from '../random/seeded-random';
import { binRows, fitBinThresholds, fitExactBins, MAX_NON_MISSING_BINS } from './binning';
import { TreeGrower, type GrownTree } from './tree-grower';

/** Defaults are those of scikit-learn's HistGradientBoostingClassifier / Regressor. */
export interface GradientBoostingOptions {
  readonly learningRate: number;
  readonly maxIterations: number;
  readonly maxLeafNodes: number;
  /** null: depth is bounded by maxLeafNodes only. */
  readonly maxDepth: number | null;
  readonly minSamplesLeaf: number;
  /**
   * Least sum of hessians a child may hold (XGBoost's `min_child_weight`); for the log loss a row
   * weighs p(1 − p) ≤ ¼, for the squared error 1. 10⁻³ is scikit-learn's `min_hessian_to_split`.
   */
  readonly minChildWeight: number;
  readonly l2Regularization: number;
  /** Non-missing quantile bins per feature (at most 65,534); not used by the 'xgboost-exact' tree method. */
  readonly maxBins: number;
  /**
   * 'histogram': scikit-learn's histogram GBDT (`maxBins` quantile bins). 'xgboost-exact': XGBoost
   * 1.x's exact greedy method (`tree_method="exact"`) in its float32 arithmetic: every boundary
   * between two distinct training values is a candidate, at XGBoost's split value, its tie
   * rules and least gain; missing values are not supported. See xgboost-compatibility.ts.
   */
  readonly treeMethod: 'histogram' | 'xgboost-exact';
  /**
   * XGBoost's `base_score`: the trees start from this prediction (for the log loss a probability,
   * whose log-odds is the start) instead of the training mean. XGBoost 1.x defaults to 0.5.
   */
  readonly baseScore: number | null;
  /** 'auto': on when the data has more than 10,000 rows. */
  readonly earlyStopping: 'auto' | boolean;
  readonly validationFraction: number;
  /** Stop when the validation loss has not improved by more than `tolerance` for this many iterations. */
  readonly iterationsWithoutImprovement: number;
  readonly tolerance: number;
  /**
   * Share of the training rows, drawn without replacement from the seed for each tree, that the
   * tree is grown on (Friedman's stochastic gradient boosting); 1 = every row, as scikit-learn.
   */
  readonly subsample: number;
  readonly seed: number;
}

export const DEFAULT_GRADIENT_BOOSTING_OPTIONS: GradientBoostingOptions = {
  learningRate: 0.1,
  maxIterations: 100,
  maxLeafNodes: 31,
  maxDepth: null,
  minSamplesLeaf: 20,
  minChildWeight: 1e-3,
  l2Regularization: 0,
  maxBins: 255,
  treeMethod: 'histogram',
  baseScore: null,
  earlyStopping: 'auto',
  validationFraction: 0.1,
  iterationsWithoutImprovement: 10,
  tolerance: 1e-7,
  subsample: 1,
  seed: 0,
};

const EARLY_STOPPING_AUTO_ROW_COUNT = 10_000;

export const gradientBoostingOptionsSchema = z.object({
  learningRate: z.number().positive(),
  maxIterations: z.number().int().positive(),
  maxLeafNodes: z.number().int().min(2),
  maxDepth: z.number().int().positive().nullable(),
  minSamplesLeaf: z.number().int().positive(),
  // Models stored before the option existed used scikit-learn's fixed 10⁻³.
  minChildWeight: z.number().positive().default(1e-3),
  l2Regularization: z.number().min(0),
  maxBins: z.number().int().min(2).max(MAX_NON_MISSING_BINS),
  // Models stored before these options existed used quantile bins and the training mean.
  treeMethod: z.enum(['histogram', 'xgboost-exact']).default('histogram'),
  baseScore: z.number().nullable().default(null),
  earlyStopping: z.union([z.literal('auto'), z.boolean()]),
  validationFraction: z.number().gt(0).lt(1),
  iterationsWithoutImprovement: z.number().int().positive(),
  tolerance: z.number().min(0),
  // Models stored before subsampling existed grew every tree on every row.
  subsample: z.number().gt(0).max(1).default(1),
  seed: z.number().int(),
});

export const trainingSummarySchema = z.object({
  rowCount: z.number().int(),
  trainingRowCount: z.number().int(),
  validationRowCount: z.number().int(),
  iterations: z.number().int(),
  stoppedEarly: z.boolean(),
  validationLoss: z.array(z.number()),
});

export type GradientBoostingTrainingSummary = z.infer<typeof trainingSummarySchema>;

export function resolveGradientBoostingOptions(overrides: Partial<GradientBoostingOptions>): GradientBoostingOptions {
  return gradientBoostingOptionsSchema.parse({ ...DEFAULT_GRADIENT_BOOSTING_OPTIONS, ...overrides }) as GradientBoostingOptions;
}

/**
 * What is boosted: the raw score (log-odds for the binomial loss, the prediction itself for the
 * squared error), its gradient and hessian per row, and the loss that early stopping watches.
 */
export interface BoostingLoss {
  /** Whether the early-stopping validation rows are drawn per class (0/1 targets only). */
  readonly stratifiedValidation: boolean;
  /** The constant raw score that the trees start from. */
  initialRawScore(targets: Float64Array): number;
  /** The raw score of a prediction given as XGBoost's `base_score`. */
  rawScoreOf(baseScore: number): number;
  fillGradients(raw: Float64Array, targets: Float64Array, gradients: Float64Array, hessians: Float64Array): void;
  /** The same in XGBoost's float32 arithmetic (its objective works on float32 predictions). */
  fillGradientsInFloat32(raw: Float64Array, targets: Float64Array, gradients: Float64Array, hessians: Float64Array): void;
  meanLoss(targets: Float64Array, raw: Float64Array): number;
}

/** Binomial log loss on log-odds: gradient p − y, hessian p(1 − p); starts at the log-odds of the positive rate. */
export const BINOMIAL_LOSS: BoostingLoss = {
  stratifiedValidation: true,
  initialRawScore(targets) {
    let positives = 0;
    for (const target of targets) positives += target;
    const positiveRate = Math.min(Math.max(positives / targets.length, 1e-15), 1 - 1e-15);
    return Math.log(positiveRate / (1 - positiveRate));
  },
  rawScoreOf(baseScore) {
    if (!(baseScore > 0 && baseScore < 1)) throw new Error(`baseScore must be a probability in (0, 1) for the log loss, got ${baseScore}`);
    return Math.log(baseScore / (1 - baseScore));
  },
  fillGradients(raw, targets, gradients, hessians) {
    for (let i = 0; i < raw.length; i++) {
      const p = sigmoid(raw[i]!);
      gradients[i] = p - targets[i]!;
      hessians[i] = p * (1 - p);
    }
  },
  // XGBoost's binary:logistic: p = 1 / (1 + exp(−x)), gradient p − y, hessian max(p(1 − p), 10⁻¹⁶), all float32.
  fillGradientsInFloat32(raw, targets, gradients, hessians) {
    for (let i = 0; i < raw.length; i++) {
      const p = Math.fround(1 / Math.fround(1 + Math.fround(Math.exp(-raw[i]!))));
      gradients[i] = Math.fround(p - targets[i]!);
      hessians[i] = Math.max(Math.fround(p * Math.fround(1 - p)), Math.fround(1e-16));
    }
  },
  // Mean negative log-likelihood of log-odds, computed without overflow.
  meanLoss(targets, raw) {
    let total = 0;
    for (let i = 0; i < targets.length; i++) {
      const z = raw[i]!;
      const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
      total += softplus - targets[i]! * z;
    }
    return total / targets.length;
  },
};

/** Half squared error: gradient prediction − y, hessian 1; starts at the mean target (scikit-learn's regressor). */
export const SQUARED_ERROR_LOSS: BoostingLoss = {
  stratifiedValidation: false,
  initialRawScore(targets) {
    let total = 0;
    for (const target of targets) total += target;
    return total / targets.length;
  },
  rawScoreOf(baseScore) {
    return baseScore;
  },
  fillGradients(raw, targets, gradients, hessians) {
    for (let i = 0; i < raw.length; i++) {
      gradients[i] = raw[i]! - targets[i]!;
      hessians[i] = 1;
    }
  },
  // XGBoost's reg:squarederror: gradient prediction − y in float32, hessian 1.
  fillGradientsInFloat32(raw, targets, gradients, hessians) {
    for (let i = 0; i < raw.length; i++) {
      gradients[i] = Math.fround(raw[i]! - targets[i]!);
      hessians[i] = 1;
    }
  },
  meanLoss(targets, raw) {
    let total = 0;
    for (let i = 0; i < targets.length; i++) {
      const residual = raw[i]! - targets[i]!;
      total += residual * residual;
    }
    return total / (2 * targets.length);
  },
};

/** Validation rows for early stopping; per class when stratified, so each class gives the same share. */
function validationSplit(targets: Float64Array, fraction: number, stratified: boolean, random: SeededRandom): { training: Uint32Array; validation: Uint32Array } {
  const training: number[] = [];
  const validation: number[] = [];
  const groups = stratified ? [0, 1].map((label) => Uint32Array.from(targets.keys()).filter((i) => targets[i] === label)) : [Uint32Array.from(targets.keys())];
  for (const rows of groups) {
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

function predictBinned(tree: GrownTree, binned: Uint16Array, featureCount: number, missingBins: Int32Array, row: number): number {
  let node = 0;
  while (tree.feature[node]! >= 0) {
    const feature = tree.feature[node]!;
    const bin = binned[row * featureCount + feature]!;
    const goesLeft = bin === missingBins[feature] ? tree.missingGoesLeft[node]! : bin <= tree.binThreshold[node]!;
    node = goesLeft ? tree.left[node]! : tree.right[node]!;
  }
  return tree.value[node]!;
}

/** `count` of `rowCount` rows drawn without replacement, ascending (so histograms add rows in a fixed order). */
function drawSubsample(rowCount: number, count: number, random: SeededRandom, scratch: Uint32Array): Uint32Array {
  for (let i = 0; i < rowCount; i++) scratch[i] = i;
  // A partial Fisher–Yates shuffle: the first `count` slots end up a uniform sample.
  for (let i = 0; i < count; i++) {
    const j = i + random.nextInt(rowCount - i);
    const swap = scratch[i]!;
    scratch[i] = scratch[j]!;
    scratch[j] = swap;
  }
  return scratch.slice(0, count).sort();
}

export interface BoostedTrees {
  readonly baseline: number;
  readonly trees: readonly GrownTree[];
  readonly training: GradientBoostingTrainingSummary;
}

/**
 * Gradient boosting in the manner of scikit-learn's HistGradientBoosting estimators: quantile-binned
 * features, histogram split finding, leaf-wise trees, Newton leaf values, shrinkage, optional row
 * subsampling per tree, and early stopping on a held-out validation share.
 */
export function boostTrees(features: FeatureMatrix, targets: Float64Array, loss: BoostingLoss, options: GradientBoostingOptions): BoostedTrees {
  const featureCount = features.featureNames.length;
  if (features.rowCount < 2) throw new Error('gradient boosting needs at least two rows');
  if (targets.length !== features.rowCount) throw new Error(`${targets.length} targets for ${features.rowCount} rows`);
  const random = new SeededRandom(options.seed);
  const earlyStopping = options.earlyStopping === 'auto' ? features.rowCount > EARLY_STOPPING_AUTO_ROW_COUNT : options.earlyStopping;
  const split = earlyStopping
    ? validationSplit(targets, options.validationFraction, loss.stratifiedValidation, random)
    : { training: Uint32Array.from(targets.keys()), validation: new Uint32Array(0) };

  const xgboost = options.treeMethod === 'xgboost-exact';
  if (xgboost && features.values.some(Number.isNaN)) throw new Error("the 'xgboost-exact' tree method does not support missing values");
  const exactBins = xgboost ? fitExactBins(features, split.training) : undefined;
  const binThresholds = exactBins ? exactBins.map((bins) => bins.thresholds) : fitBinThresholds(features, split.training, options.maxBins);
  // A feature's missing values take the bin after its non-missing ones.
  const nonMissingBinCounts = Int32Array.from(binThresholds, (thresholds) => thresholds.length + 1);
  const trainingBinned = binRows(features, split.training, binThresholds);
  const validationBinned = binRows(features, split.validation, binThresholds);
  const trainingTargets = Float64Array.from(split.training, (row) => targets[row]!);
  const validationTargets = Float64Array.from(split.validation, (row) => targets[row]!);
  const trainingRowCount = split.training.length;
  const startingRawScore = options.baseScore === null ? loss.initialRawScore(trainingTargets) : loss.rawScoreOf(options.baseScore);
  // XGBoost keeps margins in float32; with its method every sum of raw scores below is rounded so.
  const round = xgboost ? Math.fround : (value: number) => value;
  const baseline = round(startingRawScore);

  const grower = new TreeGrower(
    {
      binned: trainingBinned,
      rowCount: trainingRowCount,
      featureCount,
      nonMissingBinCounts,
      binThresholds,
      ...(exactBins ? { exactValues: exactBins.map((bins) => bins.values) } : {}),
    },
    {
      maxLeafNodes: options.maxLeafNodes,
      maxDepth: options.maxDepth,
      minSamplesLeaf: options.minSamplesLeaf,
      minHessianToSplit: options.minChildWeight,
      l2Regularization: options.l2Regularization,
      shrinkage: options.learningRate,
    },
  );

  const trainingRaw = new Float64Array(trainingRowCount).fill(baseline);
  const validationRaw = new Float64Array(split.validation.length).fill(baseline);
  const gradients = new Float64Array(trainingRowCount);
  const hessians = new Float64Array(trainingRowCount);
  const subsampleCount = options.subsample < 1 ? Math.max(2, Math.round(trainingRowCount * options.subsample)) : trainingRowCount;
  const subsampleScratch = subsampleCount < trainingRowCount ? new Uint32Array(trainingRowCount) : undefined;
  const inSubsample = subsampleScratch ? new Uint8Array(trainingRowCount) : undefined;
  const validationLoss: number[] = [];
  const scores: number[] = [];
  if (earlyStopping) {
    validationLoss.push(loss.meanLoss(validationTargets, validationRaw));
    scores.push(-validationLoss[0]!);
  }
  const trees: GrownTree[] = [];
  let stoppedEarly = false;
  for (let iteration = 0; iteration < options.maxIterations; iteration++) {
    if (xgboost) loss.fillGradientsInFloat32(trainingRaw, trainingTargets, gradients, hessians);
    else loss.fillGradients(trainingRaw, trainingTargets, gradients, hessians);
    const subsample = subsampleScratch ? drawSubsample(trainingRowCount, subsampleCount, random, subsampleScratch) : undefined;
    const tree = grower.grow(
      gradients,
      hessians,
      (value, rows) => {
        for (let k = 0; k < rows.length; k++) trainingRaw[rows[k]!] = round(trainingRaw[rows[k]!]! + value);
      },
      subsample,
    );
    if (subsample && inSubsample) {
      // Rows left out of this tree's sample still move by the leaf they fall into.
      inSubsample.fill(0);
      for (const row of subsample) inSubsample[row] = 1;
      for (let i = 0; i < trainingRowCount; i++) {
        if (inSubsample[i] === 0) trainingRaw[i] = trainingRaw[i]! + predictBinned(tree, trainingBinned, featureCount, nonMissingBinCounts, i);
      }
    }
    trees.push(tree);
    if (!earlyStopping) continue;
    for (let j = 0; j < validationRaw.length; j++) validationRaw[j] = validationRaw[j]! + predictBinned(tree, validationBinned, featureCount, nonMissingBinCounts, j);
    const currentLoss = loss.meanLoss(validationTargets, validationRaw);
    validationLoss.push(currentLoss);
    scores.push(-currentLoss);
    if (shouldStop(scores, options.iterationsWithoutImprovement, options.tolerance)) {
      stoppedEarly = true;
      break;
    }
  }
  return {
    baseline,
    trees,
    training: { rowCount: features.rowCount, trainingRowCount, validationRowCount: split.validation.length, iterations: trees.length, stoppedEarly, validationLoss },
  };
}
