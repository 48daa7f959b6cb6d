/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
/**
 * Developer tool, not run in CI: compares our 'xgboost-exact' GBDT with xgboost's own test-row
 * probabilities on the Hillstrom split, arm by arm, and both uplift rankings by our metrics.
 *
 *   /usr/bin/python3 libs/scoring-models/reference/hillstrom_xgboost_reference.py \
 *     --hillstrom ../shared/data/hillstrom.csv --json /tmp/hillstrom-xgboost-reference.json
 *   npx ts-node --transpile-only libs/scoring-models/reference/compare-hillstrom-with-xgboost.ts \
 *     ../shared/data/hillstrom.csv /tmp/hillstrom-xgboost-reference.json
 */
import * as fs from 'node:fs';
import { z } from 'zod';
import { parseCsv } from '../src/evaluation/csv';
import { HILLSTROM_CONTROL_ARM, HILLSTROM_TREATMENT_ARM, loadHillstromSplit, treatmentFlags } from '../src/evaluation/hillstrom';
import { trainGradientBoosting } from '../src/gradient-boosting/gradient-boosting';
import { xgboostExactOptions } from '../src/gradient-boosting/xgboost-compatibility';
import { qiniAucScore, upliftAtK } from '../src/metrics/uplift-metrics';
import { selectExperimentRows } from '../src/uplift/uplift-model';

const referenceSchema = z.object({
  xgboostVersion: z.string(),
  results: z.array(
    z.object({
      variant: z.string(),
      params: z.record(z.string(), z.union([z.string(), z.number()])),
      upliftAt30: z.number(),
      qini: z.number(),
      testProbabilities: z.object({ treated: z.array(z.number()), control: z.array(z.number()) }),
    }),
  ),
});

const [hillstromPath, referencePath] = process.argv.slice(2);
if (!hillstromPath || !referencePath) throw new Error('usage: compare-hillstrom-with-xgboost.ts HILLSTROM_CSV REFERENCE_JSON');
const split = loadHillstromSplit(parseCsv(fs.readFileSync(hillstromPath, 'utf8')));
const reference = referenceSchema.parse(JSON.parse(fs.readFileSync(referencePath, 'utf8')));
const treatment = treatmentFlags(split.test, HILLSTROM_TREATMENT_ARM);
const score = (uplift: Float64Array) => `uplift@30 % ${upliftAtK(split.test.outcomes, uplift, treatment, 0.3).toFixed(6)}, Qini ${qiniAucScore(split.test.outcomes, uplift, treatment).toFixed(6)}`;

// Only the exact-method variants with xgboost 1.7's base_score are ones this GBDT claims to follow.
for (const result of reference.results.filter((r) => r.params['tree_method'] === 'exact' || (r.params['tree_method'] === undefined && r.params['base_score'] === undefined))) {
  const parameters = { max_depth: Number(result.params['max_depth']), ...(result.params['learning_rate'] !== undefined ? { learning_rate: Number(result.params['learning_rate']) } : {}) };
  const probabilities: Record<'treated' | 'control', Float64Array> = { treated: new Float64Array(0), control: new Float64Array(0) };
  for (const [arm, key] of [[HILLSTROM_TREATMENT_ARM, 'treated'], [HILLSTROM_CONTROL_ARM, 'control']] as const) {
    const rows = split.training.arms.flatMap((a, i) => (a === arm ? [i] : []));
    const data = selectExperimentRows(split.training, rows);
    const model = trainGradientBoosting({ features: data.features, labels: data.outcomes }, xgboostExactOptions(parameters));
    probabilities[key] = model.predictProbabilities(split.test.features);
    const theirs = result.testProbabilities[key];
    const largest = theirs.reduce((worst, p, i) => Math.max(worst, Math.abs(p - probabilities[key][i]!)), 0);
    console.log(`${result.variant} — ${key}: largest |ours − xgboost| over ${theirs.length} test rows ${largest.toExponential(2)}`);
  }
  const ours = probabilities.treated.map((p, i) => p - probabilities.control[i]!);
  const theirs = Float64Array.from(result.testProbabilities.treated, (p, i) => p - result.testProbabilities.control[i]!);
  console.log(`  ours: ${score(ours)}; xgboost ${reference.xgboostVersion} by our metrics: ${score(theirs)}; by the script's: uplift@30 % ${result.upliftAt30.toFixed(4)}, Qini ${result.qini.toFixed(4)}`);
}
