import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CREDIT_DEFAULT_TARGET_ROC_AUC, evaluateCreditDefault } from './credit-default';
import { parseCsv } from './csv';
import { CREDIT_DEFAULT_SOURCE, HILLSTROM_SOURCE, missingDataFileMessage, type DataSource } from './data-sources';
import { loadHillstromSplit } from './hillstrom';
import {
  crossValidateHillstrom,
  evaluateHillstrom,
  HILLSTROM_BASELINE_CANDIDATE,
  HILLSTROM_CHOSEN_CANDIDATE,
  HILLSTROM_CONFIRMATION_SEEDS,
  HILLSTROM_TARGET_UPLIFT_AT_30,
  hillstromCandidate,
  XGBOOST_REFERENCE_CANDIDATE,
  XGBOOST_REFERENCE_FIGURES,
} from './hillstrom-evaluation';

// The real data lives in the `shared` folder beside the repository (../shared/data from the repository root).
const dataFolder = path.resolve(__dirname, '../../../../../shared/data');

function readData(source: DataSource): string {
  const file = path.join(dataFolder, source.file);
  if (!fs.existsSync(file)) throw new Error(missingDataFileMessage(source, file));
  return fs.readFileSync(file, 'utf8');
}

const clock = () => performance.now();

describe('evaluation on the real data sets', () => {
  it(`reaches ROC AUC ≥ ${CREDIT_DEFAULT_TARGET_ROC_AUC} on the credit-default test rows without protected attributes`, () => {
    const evaluation = evaluateCreditDefault(parseCsv(readData(CREDIT_DEFAULT_SOURCE)), clock);
    const [boosted, , logistic] = evaluation.models;
    console.log(
      `credit default: ${evaluation.models.map((m) => `${m.model} AUC ${m.rocAuc.toFixed(4)} log loss ${m.logLoss.toFixed(4)} Brier ${m.brierScore.toFixed(4)} trained in ${m.trainingMilliseconds.toFixed(0)} ms`).join('; ')}`,
    );
    expect(evaluation.features.some((name) => ['X2', 'X3', 'X4', 'X5'].includes(name))).toBe(false);
    expect(boosted!.trainingRows).toBe(21_000);
    expect(boosted!.testRows).toBe(9000);
    expect(evaluation.target.met).toBe(true);
    expect(boosted!.rocAuc).toBeGreaterThanOrEqual(CREDIT_DEFAULT_TARGET_ROC_AUC);
    expect(boosted!.rocAuc).toBeGreaterThan(logistic!.rocAuc);
    expect(boosted!.logLoss).toBeLessThan(logistic!.logLoss);
    expect(boosted!.brierScore).toBeLessThan(logistic!.brierScore);
  });

  describe('Hillstrom uplift (Womens E-Mail against No E-Mail, outcome visit)', () => {
    const table = parseCsv(readData(HILLSTROM_SOURCE));

    // The target (${HILLSTROM_TARGET_UPLIFT_AT_30}) is printed by the evaluation command but not asserted: the chosen
    // learner does not reach it on the test rows (docs/scoring-models.md). What is asserted holds reliably.
    it('ranks the test rows better than random targeting: uplift@30 % above the average effect, Qini above 0', () => {
      const evaluation = evaluateHillstrom(table, clock);
      const [chosen, reference, logistic] = evaluation.models;
      console.log(
        `hillstrom: average effect ${evaluation.averageTreatmentEffectTest.toFixed(4)}; ${evaluation.models.map((m) => `${m.model} uplift@30 ${m.upliftAt30.toFixed(4)} Qini ${m.qini.toFixed(4)}`).join('; ')}; target ${evaluation.target.met ? 'met' : 'missed'}`,
      );
      expect(chosen!.model).toBe(HILLSTROM_CHOSEN_CANDIDATE);
      expect(reference!.model).toBe(HILLSTROM_BASELINE_CANDIDATE);
      expect(logistic!.model).toBe('t-logistic');
      expect(chosen!.testRows.treated + chosen!.testRows.control).toBe(12_776);
      expect(chosen!.trainingRows.treated + chosen!.trainingRows.control).toBe(29_917);
      expect(evaluation.averageTreatmentEffectTest).toBeGreaterThan(0.04);
      expect(chosen!.upliftAt30).toBeGreaterThan(evaluation.averageTreatmentEffectTest);
      expect(chosen!.qini).toBeGreaterThan(0);
      expect(evaluation.target).toMatchObject({ model: HILLSTROM_CHOSEN_CANDIDATE, required: HILLSTROM_TARGET_UPLIFT_AT_30, achieved: chosen!.upliftAt30 });
      expect(evaluation.target.met).toBe(chosen!.upliftAt30 >= HILLSTROM_TARGET_UPLIFT_AT_30);
    });

    // xgboost's figures are recorded to 4 decimals by the reference script; ours differ from them by
    // the rounding only (0.086105 and 0.065931 against xgboost's own 0.086105 and 0.065929).
    it(`reproduces xgboost ${XGBOOST_REFERENCE_FIGURES.xgboostVersion}'s own figures for the issue's reference model (${XGBOOST_REFERENCE_CANDIDATE})`, () => {
      const evaluation = evaluateHillstrom(table, clock);
      const reproduced = evaluation.models.find((model) => model.model === XGBOOST_REFERENCE_CANDIDATE)!;
      expect(Math.abs(reproduced.upliftAt30 - XGBOOST_REFERENCE_FIGURES.upliftAt30)).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(reproduced.qini - XGBOOST_REFERENCE_FIGURES.qini)).toBeLessThanOrEqual(1e-4);
      expect(reproduced.upliftAt30).toBeGreaterThanOrEqual(HILLSTROM_TARGET_UPLIFT_AT_30);
      expect(evaluation.referenceTarget).toMatchObject({ model: XGBOOST_REFERENCE_CANDIDATE, required: HILLSTROM_TARGET_UPLIFT_AT_30, achieved: reproduced.upliftAt30, met: true });
    });

    it('chose a learner whose cross-validated score on the training rows is not worse than the T-learner’s', () => {
      // The confirmation folds: fresh seeds, not those the candidates were selected on.
      const split = loadHillstromSplit(table);
      const [baseline, chosen] = crossValidateHillstrom(split, [hillstromCandidate(HILLSTROM_BASELINE_CANDIDATE), hillstromCandidate(HILLSTROM_CHOSEN_CANDIDATE)], HILLSTROM_CONFIRMATION_SEEDS);
      console.log(
        `hillstrom cross-validation (${chosen!.folds.length} folds): ${baseline!.candidate} uplift@30 ${baseline!.upliftAtK.mean.toFixed(4)} Qini ${baseline!.qini.mean.toFixed(4)}; ${chosen!.candidate} uplift@30 ${chosen!.upliftAtK.mean.toFixed(4)} Qini ${chosen!.qini.mean.toFixed(4)}`,
      );
      expect(chosen!.folds).toHaveLength(20);
      expect(chosen!.upliftAtK.mean).toBeGreaterThanOrEqual(baseline!.upliftAtK.mean);
      expect(chosen!.qini.mean).toBeGreaterThanOrEqual(baseline!.qini.mean);
      // 20 fits of a three-member average (about 4 s each on one idle core): more than the default allows on a shared machine.
    }, 600_000);
  });
});
