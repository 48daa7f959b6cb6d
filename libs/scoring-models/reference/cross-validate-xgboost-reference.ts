/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
/**
 * Developer tool, not run in CI: the cross-validation of `--tune` (training rows only, the same
 * folds and seeds) for the reproduced XGBoost reference, next to the baseline, the chosen learner
 * and session 2's XGBoost-like T-learner — without re-running every other candidate.
 *
 *   npx ts-node --transpile-only libs/scoring-models/reference/cross-validate-xgboost-reference.ts ../shared/data/hillstrom.csv
 */
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseCsv } from '../src/evaluation/csv';
import { loadHillstromSplit } from '../src/evaluation/hillstrom';
import {
  crossValidateHillstrom,
  HILLSTROM_BASELINE_CANDIDATE,
  HILLSTROM_CHOSEN_CANDIDATE,
  HILLSTROM_CONFIRMATION_SEEDS,
  HILLSTROM_SELECTION_SEEDS,
  hillstromCandidate,
  XGBOOST_REFERENCE_CANDIDATE,
} from '../src/evaluation/hillstrom-evaluation';
import type { UpliftCandidateScore } from '../src/evaluation/uplift-cross-validation';

const [hillstromPath] = process.argv.slice(2);
if (!hillstromPath) throw new Error('usage: cross-validate-xgboost-reference.ts HILLSTROM_CSV');
const split = loadHillstromSplit(parseCsv(fs.readFileSync(hillstromPath, 'utf8')));
const candidates = [HILLSTROM_BASELINE_CANDIDATE, HILLSTROM_CHOSEN_CANDIDATE, 't-xgb-like-depth-2', XGBOOST_REFERENCE_CANDIDATE, 't-xgboost-defaults-depth-2'].map(hillstromCandidate);
const clock = () => performance.now();
const signed = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(4)}`;

function print(title: string, scores: readonly UpliftCandidateScore[]): void {
  console.log(`\n${title}`);
  console.log(`  ${'candidate'.padEnd(30)} ${'uplift@30%'.padStart(10)} ${'fold sd'.padStart(7)} ${'vs baseline ± se'.padStart(17)} ${'Qini'.padStart(7)} ${'vs baseline ± se'.padStart(17)}`);
  for (const score of scores) {
    console.log(
      `  ${score.candidate.padEnd(30)} ${score.upliftAtK.mean.toFixed(4).padStart(10)} ${score.upliftAtK.standardDeviation.toFixed(4).padStart(7)} ${`${signed(score.upliftAtKVersusBaseline.mean)} ± ${score.upliftAtKVersusBaseline.standardError.toFixed(4)}`.padStart(17)} ${score.qini.mean.toFixed(4).padStart(7)} ${`${signed(score.qiniVersusBaseline.mean)} ± ${score.qiniVersusBaseline.standardError.toFixed(4)}`.padStart(17)}`,
    );
  }
}

const selection = crossValidateHillstrom(split, candidates, HILLSTROM_SELECTION_SEEDS, { clock });
print(`selection folds (5 folds × seeds ${HILLSTROM_SELECTION_SEEDS.join(', ')}), training rows only`, selection);
const confirmation = crossValidateHillstrom(split, candidates, HILLSTROM_CONFIRMATION_SEEDS, { clock }, 'confirmation');
print(`confirmation folds (5 folds × seeds ${HILLSTROM_CONFIRMATION_SEEDS.join(', ')}), training rows only`, confirmation);
console.log('\npooled (40 folds):');
selection.forEach((score, c) => {
  const other = confirmation[c]!;
  console.log(`  ${score.candidate.padEnd(30)} uplift@30% ${((score.upliftAtK.mean + other.upliftAtK.mean) / 2).toFixed(4)}  Qini ${((score.qini.mean + other.qini.mean) / 2).toFixed(4)}`);
});
