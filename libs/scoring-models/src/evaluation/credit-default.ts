/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
import type { ProbabilisticClassifier } from '../classifier';
import { selectRows, type LabelledDataset } from '../dataset/feature-matrix';
import { trainAveraged, type AveragedClassifier } from '../ensemble/averaged-classifier';
import { assertNoProtectedAttributes, CREDIT_DEFAULT_PROTECTED_ATTRIBUTES } from '../fairness/protected-attributes';
import { trainGradientBoosting, type GradientBoostingOptions } from '../gradient-boosting/gradient-boosting';
import { trainLogisticRegression } from '../logistic-regression/logistic-regression';
import { brierScore, logLoss, rocAuc } from '../metrics/classification-metrics';
import { columnIndex, parseNumber, type CsvTable } from './csv';
import { checkTarget, timed, type CandidateScore, type MillisecondClock, type TargetCheck } from './evaluation-report';
import { crossValidate } from './model-selection';

/** Credit limit and six months of repayment status, bills and payments; never sex, education, marital status or age (X2–X5). */
export const CREDIT_DEFAULT_FEATURES: readonly string[] = ['X1', ...Array.from({ length: 18 }, (_, i) => `X${i + 6}`)];

/** What scikit-learn's HistGradientBoostingClassifier with default settings reaches on this split. */
export const CREDIT_DEFAULT_TARGET_ROC_AUC = 0.782;

/** Test rows: ID modulo 10 is 0, 1 or 2. */
export function isCreditDefaultTestRow(id: number): boolean {
  return id % 10 <= 2;
}

export interface CreditDefaultSplit {
  readonly training: LabelledDataset;
  readonly test: LabelledDataset;
}

/** Reads the features (checked against the protected attributes) and `Y`, split by ID. */
export function loadCreditDefaultSplit(table: CsvTable, featureNames: readonly string[] = CREDIT_DEFAULT_FEATURES): CreditDefaultSplit {
  assertNoProtectedAttributes(featureNames, CREDIT_DEFAULT_PROTECTED_ATTRIBUTES);
  const featureColumns = featureNames.map((name) => columnIndex(table, name));
  const idColumn = columnIndex(table, 'ID');
  const labelColumn = columnIndex(table, 'Y');
  const width = featureNames.length;
  const values = new Float64Array(table.rows.length * width);
  const labels = new Uint8Array(table.rows.length);
  const training: number[] = [];
  const test: number[] = [];
  table.rows.forEach((row, r) => {
    featureColumns.forEach((column, f) => (values[r * width + f] = parseNumber(row[column]!, `credit row ${r} ${featureNames[f]}`)));
    const label = parseNumber(row[labelColumn]!, `credit row ${r} Y`);
    if (label !== 0 && label !== 1) throw new Error(`credit row ${r}: Y is ${label}, expected 0 or 1`);
    labels[r] = label;
    (isCreditDefaultTestRow(parseNumber(row[idColumn]!, `credit row ${r} ID`)) ? test : training).push(r);
  });
  const all: LabelledDataset = { features: { featureNames: [...featureNames], rowCount: table.rows.length, values }, labels };
  return { training: selectRows(all, training), test: selectRows(all, test) };
}

interface CreditCandidate {
  readonly name: string;
  readonly description: string;
  readonly train: (training: LabelledDataset) => ProbabilisticClassifier;
}

const averagedGradientBoosting = (options: Partial<GradientBoostingOptions>, members: number) => (training: LabelledDataset) =>
  trainAveraged(training, members, (dataset, seed) => trainGradientBoosting(dataset, { ...options, seed }));

/** The configurations compared by cross-validation on the training rows (`--tune`). */
export const CREDIT_DEFAULT_CANDIDATES: readonly CreditCandidate[] = [
  { name: 'gbdt-defaults', description: 'one GBDT, scikit-learn defaults', train: (d) => trainGradientBoosting(d) },
  { name: 'gbdt-15-leaves', description: 'one GBDT, max 15 leaves', train: (d) => trainGradientBoosting(d, { maxLeafNodes: 15 }) },
  { name: 'gbdt-defaults-average-5', description: 'mean of 5 default GBDTs, seeds 0–4', train: averagedGradientBoosting({}, 5) },
  { name: 'gbdt-15-leaves-average-5', description: 'mean of 5 GBDTs with max 15 leaves, seeds 0–4', train: averagedGradientBoosting({ maxLeafNodes: 15 }, 5) },
  { name: 'logistic-regression', description: 'L2 logistic regression on standardized features', train: (d) => trainLogisticRegression(d) },
];

/**
 * The configuration chosen by 5-fold cross-validation on the training rows (docs/scoring-models.md):
 * the mean log-odds of five GBDTs with at most 15 leaves, each early-stopped on its own validation rows.
 */
export function trainCreditDefaultModel(training: LabelledDataset): AveragedClassifier {
  return averagedGradientBoosting({ maxLeafNodes: 15 }, 5)(training);
}

/** Cross-validated ROC AUC of each candidate on the training rows only. */
export function tuneCreditDefault(split: CreditDefaultSplit, folds = 5, seed = 42): CandidateScore[] {
  return CREDIT_DEFAULT_CANDIDATES.map((candidate) => {
    const result = crossValidate(split.training.features.rowCount, folds, seed, (trainingRows, validationRows) => {
      const model = candidate.train(selectRows(split.training, trainingRows));
      const validation = selectRows(split.training, validationRows);
      return rocAuc(validation.labels, model.predictProbabilities(validation.features));
    });
    return { candidate: candidate.name, description: candidate.description, meanScore: result.mean, foldScores: result.folds };
  });
}

export interface ClassifierEvaluation {
  readonly model: string;
  readonly description: string;
  readonly trainingRows: number;
  readonly testRows: number;
  readonly trainingMilliseconds: number;
  readonly predictionMicrosecondsPerRow: number;
  readonly rocAuc: number;
  readonly logLoss: number;
  readonly brierScore: number;
}

export interface CreditDefaultEvaluation {
  readonly dataset: 'uci-credit-card-default';
  readonly split: string;
  readonly features: readonly string[];
  readonly positiveRateTest: number;
  readonly models: readonly ClassifierEvaluation[];
  readonly target: TargetCheck;
}

function evaluateClassifier(name: string, description: string, split: CreditDefaultSplit, clock: MillisecondClock, train: (d: LabelledDataset) => ProbabilisticClassifier): ClassifierEvaluation {
  const { result: model, milliseconds } = timed(clock, () => train(split.training));
  const { test } = split;
  const width = test.features.featureNames.length;
  // Row by row, as the scoring service calls it.
  const { result: probabilities, milliseconds: predictionMilliseconds } = timed(clock, () =>
    Float64Array.from({ length: test.features.rowCount }, (_, r) => model.predictProbability(test.features.values.subarray(r * width, (r + 1) * width))),
  );
  return {
    model: name,
    description,
    trainingRows: split.training.features.rowCount,
    testRows: test.features.rowCount,
    trainingMilliseconds: milliseconds,
    predictionMicrosecondsPerRow: (predictionMilliseconds * 1000) / test.features.rowCount,
    rocAuc: rocAuc(test.labels, probabilities),
    logLoss: logLoss(test.labels, probabilities),
    brierScore: brierScore(test.labels, probabilities),
  };
}

/** Trains the chosen model and the two references on the training rows and scores them on the test rows. */
export function evaluateCreditDefault(table: CsvTable, clock: MillisecondClock): CreditDefaultEvaluation {
  const split = loadCreditDefaultSplit(table);
  const chosen = evaluateClassifier('gradient-boosting', 'mean of 5 GBDTs (max 15 leaves, seeds 0–4), chosen by 5-fold CV on the training rows', split, clock, trainCreditDefaultModel);
  const defaults = evaluateClassifier('gradient-boosting-sklearn-defaults', 'one GBDT with scikit-learn HistGradientBoostingClassifier defaults, seed 0', split, clock, (d) => trainGradientBoosting(d));
  const logistic = evaluateClassifier('logistic-regression', 'L2 logistic regression (λ = 1) on standardized features: the transparent baseline', split, clock, (d) => trainLogisticRegression(d));
  let positives = 0;
  for (const label of split.test.labels) positives += label;
  return {
    dataset: 'uci-credit-card-default',
    split: 'test: ID % 10 in {0, 1, 2}; training: the rest',
    features: split.training.features.featureNames,
    positiveRateTest: positives / split.test.labels.length,
    models: [chosen, defaults, logistic],
    target: checkTarget('ROC AUC of the gradient-boosting model on the test rows', 'rocAuc', chosen.model, CREDIT_DEFAULT_TARGET_ROC_AUC, chosen.rocAuc),
  };
}
