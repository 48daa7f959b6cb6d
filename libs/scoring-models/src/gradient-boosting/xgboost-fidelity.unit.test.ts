import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { FeatureMatrix } from '../dataset/feature-matrix';
import { trainGradientBoosting } from './gradient-boosting';
import { xgboostExactOptions } from './xgboost-compatibility';

/**
 * The fixture is written by libs/scoring-models/reference/hillstrom_xgboost_reference.py
 * (`--write-fixture`) with xgboost 1.7.4: 300 Hillstrom training rows of the treated arm, 300 test
 * rows, and XGBClassifier's own probabilities for three parameter sets.
 */
const fixtureSchema = z.object({
  xgboostVersion: z.string(),
  featureNames: z.array(z.string()),
  training: z.object({ values: z.array(z.array(z.number())), labels: z.array(z.union([z.literal(0), z.literal(1)])) }),
  heldOut: z.object({ values: z.array(z.array(z.number())) }),
  cases: z.array(
    z.object({
      name: z.string(),
      params: z.object({
        max_depth: z.number().int().optional(),
        learning_rate: z.number().optional(),
        min_child_weight: z.number().optional(),
        reg_lambda: z.number().optional(),
        base_score: z.number().optional(),
        tree_method: z.literal('exact'),
      }),
      trainingProbabilities: z.array(z.number()),
      heldOutProbabilities: z.array(z.number()),
    }),
  ),
});

const fixture = fixtureSchema.parse(JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'xgboost-hillstrom-fidelity.json'), 'utf8')));

const matrix = (rows: number[][]): FeatureMatrix => ({ featureNames: fixture.featureNames, rowCount: rows.length, values: Float64Array.from(rows.flat()) });

function largestDifference(expected: readonly number[], actual: Float64Array): number {
  return expected.reduce((largest, value, i) => Math.max(largest, Math.abs(value - actual[i]!)), 0);
}

/**
 * XGBoost sums the trees' float32 leaf values in float32 when it predicts, this GBDT in float64: over
 * 100 trees that leaves about 2·10⁻⁷ on a probability (measured on these rows and on all Hillstrom
 * test rows). Any different split — feature, split value or a leaf value — moves probabilities by
 * 10⁻³ or more, far above this bound.
 */
const PROBABILITY_TOLERANCE = 1e-6;

describe('xgboost-exact tree method against xgboost 1.7.4 (fixture from the reference script)', () => {
  it('is a fixture of xgboost 1.7 with enough rows and cases to mean something', () => {
    expect(fixture.xgboostVersion).toMatch(/^1\.7\./);
    expect(fixture.training.labels.length).toBeGreaterThanOrEqual(300);
    expect(fixture.cases.length).toBeGreaterThanOrEqual(3);
  });

  it.each(fixture.cases.map((testCase) => [testCase.name, testCase] as const))('%s: the same probabilities on training and held-out rows', (_name, testCase) => {
    const model = trainGradientBoosting({ features: matrix(fixture.training.values), labels: Uint8Array.from(fixture.training.labels) }, xgboostExactOptions(testCase.params));
    expect(model.treeCount).toBe(100);
    expect(largestDifference(testCase.trainingProbabilities, model.predictProbabilities(matrix(fixture.training.values)))).toBeLessThan(PROBABILITY_TOLERANCE);
    expect(largestDifference(testCase.heldOutProbabilities, model.predictProbabilities(matrix(fixture.heldOut.values)))).toBeLessThan(PROBABILITY_TOLERANCE);
  });

  // Each drift a real change of the implementation could make; each must miss by far more than the tolerance.
  it.each([
    ['the training mean as the start instead of base_score', 'exact-default', { baseScore: null }],
    ['64 quantile bins instead of exact splits', 'exact-default', { treeMethod: 'histogram', maxBins: 64 }],
    ['column-wide split values instead of the node\'s own (histogram method)', 'exact-lr-0.1-depth-3-mcw-5-lambda-3', { treeMethod: 'histogram' }],
  ] as const)('fails on a drift: %s', (_drift, caseName, drift) => {
    const testCase = fixture.cases.find((c) => c.name === caseName)!;
    const model = trainGradientBoosting({ features: matrix(fixture.training.values), labels: Uint8Array.from(fixture.training.labels) }, { ...xgboostExactOptions(testCase.params), ...drift });
    expect(largestDifference(testCase.heldOutProbabilities, model.predictProbabilities(matrix(fixture.heldOut.values)))).toBeGreaterThan(1e-3);
  });
});
