import { createHash } from 'node:crypto';
import type { DunningTreatment } from '@dunning/contracts';
import {
  assertNoProtectedAttributes,
  brierScore,
  createFeatureMatrix,
  logLoss,
  qiniAucScore,
  rocAuc,
  trainGradientBoosting,
  trainLogisticRegression,
  trainTwoModelUplift,
  upliftAtK,
  type GradientBoostingOptions,
  type LabelledDataset,
  type ProbabilisticClassifier,
  type TwoModelUpliftModel,
} from '@dunning/scoring-models';
import { FEATURE_NAMES, featureVector } from './features';
import { scoreWithPrior } from './prior';
import type { ModelBundle } from './scorer';
import type { ExperimentRow, TrainingRow, TrainingSet } from './training-set';
import type { Instant } from './time';

// Training a model version from labelled rows: a time-based holdout (the newest rows) measures the
// model against the prior and against the current champion; the served model is then refitted on
// every row with the same settings. Everything here is a function of the rows, the options and the
// seed, so the same data and seed always give the same model and the same version label.

export type ClassifierKind = 'gradient-boosting' | 'logistic-regression';

export interface ModelTrainingOptions {
  readonly seed: number;
  /** Fewer labelled rows (or fewer of either class) than this, and the prior keeps scoring. */
  readonly minRows: number;
  readonly minPerClass: number;
  /** The newest share of rows, held out to measure the model. */
  readonly holdoutFraction: number;
  readonly classifier: ClassifierKind;
  readonly gradientBoosting: Partial<GradientBoostingOptions>;
  readonly logisticRegressionL2: number;
  readonly uplift: {
    /** Rows an arm (the no-action control included) needs before its effect is learned. */
    readonly minRowsPerArm: number;
    readonly controlTreatment: DunningTreatment;
  };
}

export const DEFAULT_MODEL_TRAINING_OPTIONS: ModelTrainingOptions = {
  seed: 42,
  minRows: 200,
  minPerClass: 20,
  holdoutFraction: 0.2,
  classifier: 'gradient-boosting',
  // Small leaves and few trees: a few thousand rows per customer base, not a credit bureau's millions.
  gradientBoosting: { maxIterations: 80, maxLeafNodes: 8, minSamplesLeaf: 30, learningRate: 0.05, l2Regularization: 1, earlyStopping: false },
  logisticRegressionL2: 1,
  uplift: { minRowsPerArm: 50, controlTreatment: 'no-action' },
};

export interface ClassificationMetrics {
  readonly rows: number;
  readonly positiveRate: number;
  /** null when the holdout holds only one class. */
  readonly rocAuc: number | null;
  readonly logLoss: number;
  readonly brierScore: number;
}

export interface UpliftTreatmentSummary {
  readonly treatment: DunningTreatment;
  readonly rows: number;
  /** Share that paid within the window in this arm, and in the no-action arm: the observed average effect. */
  readonly paidRate: number;
  readonly controlPaidRate: number;
  readonly observedEffect: number;
  /** On the holdout, when it holds both arms: uplift@30 % and the normalized Qini coefficient. */
  readonly holdout: { readonly rows: number; readonly upliftAt30: number | null; readonly qini: number | null } | null;
}

export interface UpliftSummary {
  readonly controlTreatment: DunningTreatment;
  readonly controlRows: number;
  readonly treatments: readonly UpliftTreatmentSummary[];
  /** Arms with too few rows, and why they were left out. */
  readonly skipped: readonly { readonly treatment: string; readonly rows: number }[];
}

export interface ModelMetrics {
  readonly training: { readonly rows: number; readonly positiveRate: number };
  readonly holdout: ClassificationMetrics;
  /** The prior on the same holdout: the bar a model must clear. */
  readonly priorOnHoldout: ClassificationMetrics;
  /** The champion at training time on the same holdout, when there was one. */
  readonly championOnHoldout?: ClassificationMetrics & { readonly version: string };
  readonly uplift?: UpliftSummary;
}

export interface ModelCandidate {
  readonly version: string;
  readonly contentHash: string;
  readonly classifier: ClassifierKind;
  readonly featureNames: readonly string[];
  readonly trainingWindow: { readonly from: Instant; readonly to: Instant };
  readonly seed: number;
  readonly metrics: ModelMetrics;
  readonly probabilityModel: unknown;
  readonly upliftModel?: unknown;
  readonly bundle: ModelBundle;
}

export type TrainingResult =
  | { readonly trained: true; readonly candidate: ModelCandidate }
  | { readonly trained: false; readonly reason: string; readonly rows: number; readonly positives: number };

export const PROBABILITY_MODEL_NAME = 'pay-without-collection';

function dataset(rows: readonly TrainingRow[], labelOf: (row: TrainingRow) => 0 | 1): LabelledDataset {
  return {
    features: createFeatureMatrix(FEATURE_NAMES, rows.map((row) => Array.from(featureVector(row.values, FEATURE_NAMES)))),
    labels: Uint8Array.from(rows, labelOf),
  };
}

function classificationMetrics(labels: ArrayLike<number>, probabilities: ArrayLike<number>): ClassificationMetrics {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] as number;
  const bothClasses = positives > 0 && positives < labels.length;
  return {
    rows: labels.length,
    positiveRate: positives / labels.length,
    rocAuc: bothClasses ? rocAuc(labels, probabilities) : null,
    logLoss: logLoss(labels, probabilities),
    brierScore: brierScore(labels, probabilities),
  };
}

function trainClassifier(data: LabelledDataset, options: ModelTrainingOptions): ProbabilisticClassifier {
  return options.classifier === 'gradient-boosting'
    ? trainGradientBoosting(data, { ...options.gradientBoosting, seed: options.seed })
    : trainLogisticRegression(data, { l2Regularization: options.logisticRegressionL2 });
}

function predictAll(model: ProbabilisticClassifier, rows: readonly TrainingRow[]): Float64Array {
  return Float64Array.from(rows, (row) => model.predictProbability(featureVector(row.values, model.featureNames)));
}

const mean = (values: readonly number[]): number => (values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length);
const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

function trainUplift(
  rows: readonly ExperimentRow[],
  options: ModelTrainingOptions,
): { model: TwoModelUpliftModel; summary: UpliftSummary } | { model: undefined; summary: UpliftSummary | undefined } {
  const control = options.uplift.controlTreatment;
  const counts = new Map<DunningTreatment, number>();
  for (const row of rows) counts.set(row.treatment, (counts.get(row.treatment) ?? 0) + 1);
  const controlRows = counts.get(control) ?? 0;
  const treatments = [...counts.keys()].filter((t) => t !== control).sort();
  const enough = treatments.filter((t) => (counts.get(t) ?? 0) >= options.uplift.minRowsPerArm);
  const skipped = treatments.filter((t) => !enough.includes(t)).map((treatment) => ({ treatment, rows: counts.get(treatment) ?? 0 }));
  if (rows.length === 0) return { model: undefined, summary: undefined };
  if (controlRows < options.uplift.minRowsPerArm || enough.length === 0) {
    return { model: undefined, summary: { controlTreatment: control, controlRows, treatments: [], skipped: controlRows < options.uplift.minRowsPerArm ? [{ treatment: control, rows: controlRows }, ...skipped] : skipped } };
  }
  const used = rows.filter((row) => row.treatment === control || enough.includes(row.treatment));
  const fitArms = (subset: readonly ExperimentRow[]): TwoModelUpliftModel => {
    const data = dataset(subset, (row) => row.paid);
    return trainTwoModelUplift(
      { features: data.features, outcomes: data.labels, arms: subset.map((row) => row.treatment) },
      { controlArm: control, treatmentArms: enough, trainer: (armData) => trainLogisticRegression(armData, { l2Regularization: options.logisticRegressionL2 }) },
    );
  };
  // Measure on the newest rows with a model fitted on the older ones, when each arm has rows on both sides.
  const split = Math.floor(used.length * (1 - options.holdoutFraction));
  const older = used.slice(0, split);
  const newer = used.slice(split);
  const armsIn = (subset: readonly ExperimentRow[]) => new Set(subset.map((row) => row.treatment));
  const olderArms = armsIn(older);
  const measurable = newer.length > 0 && [control, ...enough].every((t) => olderArms.has(t));
  const evaluationModel = measurable ? fitArms(older) : undefined;
  const summaries: UpliftTreatmentSummary[] = enough.map((treatment) => {
    const armRows = used.filter((row) => row.treatment === treatment);
    const controlArmRows = used.filter((row) => row.treatment === control);
    const paidRate = mean(armRows.map((row) => row.paid));
    const controlPaidRate = mean(controlArmRows.map((row) => row.paid));
    let holdout: UpliftTreatmentSummary['holdout'] = null;
    const pair = newer.filter((row) => row.treatment === treatment || row.treatment === control);
    const hasBoth = pair.some((row) => row.treatment === treatment) && pair.some((row) => row.treatment === control);
    if (evaluationModel && hasBoth) {
      const matrix = dataset(pair, (row) => row.paid);
      const uplift = evaluationModel.predictArmUplift(matrix.features, treatment);
      const treated = Uint8Array.from(pair, (row) => (row.treatment === treatment ? 1 : 0));
      holdout = { rows: pair.length, upliftAt30: pair.length >= 10 ? finiteOrNull(upliftAtK(matrix.labels, uplift, treated, 0.3)) : null, qini: finiteOrNull(qiniAucScore(matrix.labels, uplift, treated)) };
    }
    return { treatment, rows: armRows.length, paidRate, controlPaidRate, observedEffect: paidRate - controlPaidRate, holdout };
  });
  return { model: fitArms(used), summary: { controlTreatment: control, controlRows, treatments: summaries, skipped } };
}

/** Canonical JSON (sorted keys) so the hash does not depend on property order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value as Record<string, unknown>)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function contentHashOf(content: unknown): string {
  return createHash('sha256').update(canonical(content)).digest('hex');
}

/**
 * Trains a candidate model version from a training set (and the experiment rows among it).
 * `incumbent` is the champion at training time: it is measured on the same holdout so that the
 * promotion decision compares like with like.
 */
export function trainModelVersion(
  trainingSet: TrainingSet,
  experimentRows: readonly ExperimentRow[],
  options: ModelTrainingOptions = DEFAULT_MODEL_TRAINING_OPTIONS,
  incumbent?: ModelBundle,
): TrainingResult {
  assertNoProtectedAttributes(FEATURE_NAMES);
  const rows = trainingSet.rows;
  const positives = rows.reduce((sum, row) => sum + row.paidWithoutCollection, 0);
  const negatives = rows.length - positives;
  if (rows.length < options.minRows) return { trained: false, reason: `${rows.length} labelled outcomes, at least ${options.minRows} needed`, rows: rows.length, positives };
  if (Math.min(positives, negatives) < options.minPerClass) {
    return { trained: false, reason: `${positives} paid without collection and ${negatives} did not; at least ${options.minPerClass} of each needed`, rows: rows.length, positives };
  }
  const label = (row: TrainingRow) => row.paidWithoutCollection;
  const split = Math.floor(rows.length * (1 - options.holdoutFraction));
  const older = rows.slice(0, split);
  const newer = rows.slice(split);
  const evaluationModel = trainClassifier(dataset(older, label), options);
  const holdoutLabels = Uint8Array.from(newer, label);
  const holdout = classificationMetrics(holdoutLabels, predictAll(evaluationModel, newer));
  const priorOnHoldout = classificationMetrics(holdoutLabels, Float64Array.from(newer, (row) => scoreWithPrior(row.values).probability));
  const championOnHoldout = incumbent ? { version: incumbent.version, ...classificationMetrics(holdoutLabels, predictAll(incumbent.probability, newer)) } : undefined;

  const probability = trainClassifier(dataset(rows, label), options);
  const uplift = trainUplift(experimentRows, options);
  const probabilityModel = probability.toJSON();
  const upliftModel = uplift.model?.toJSON();
  const trainingWindow = { from: rows[0]?.asOf ?? trainingSet.cutoff, to: trainingSet.cutoff };
  const contentHash = contentHashOf({ featureNames: FEATURE_NAMES, probabilityModel, upliftModel: upliftModel ?? null, trainingWindow, seed: options.seed });
  const version = `${PROBABILITY_MODEL_NAME}@${trainingSet.cutoff.slice(0, 10)}.${contentHash.slice(0, 12)}`;
  const metrics: ModelMetrics = {
    training: { rows: rows.length, positiveRate: positives / rows.length },
    holdout,
    priorOnHoldout,
    ...(championOnHoldout ? { championOnHoldout } : {}),
    ...(uplift.summary ? { uplift: uplift.summary } : {}),
  };
  return {
    trained: true,
    candidate: {
      version,
      contentHash,
      classifier: options.classifier,
      featureNames: [...FEATURE_NAMES],
      trainingWindow,
      seed: options.seed,
      metrics,
      probabilityModel,
      ...(upliftModel ? { upliftModel } : {}),
      bundle: { version, probability, ...(uplift.model ? { uplift: uplift.model } : {}) },
    },
  };
}
