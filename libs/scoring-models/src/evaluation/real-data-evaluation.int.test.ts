import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CREDIT_DEFAULT_TARGET_ROC_AUC, evaluateCreditDefault } from './credit-default';
import { parseCsv } from './csv';
import { CREDIT_DEFAULT_SOURCE, HILLSTROM_SOURCE, missingDataFileMessage, type DataSource } from './data-sources';
import { evaluateHillstrom, HILLSTROM_TARGET_UPLIFT_AT_30 } from './hillstrom-evaluation';

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

  it(`reaches uplift@30 % ≥ ${HILLSTROM_TARGET_UPLIFT_AT_30} on the Hillstrom test rows with the two-model learner`, () => {
    const evaluation = evaluateHillstrom(parseCsv(readData(HILLSTROM_SOURCE)), clock);
    const [boosted] = evaluation.models;
    console.log(`hillstrom: ${evaluation.models.map((m) => `${m.model} uplift@30 ${m.upliftAt30.toFixed(4)} Qini ${m.qini.toFixed(4)}`).join('; ')}`);
    expect(boosted!.testRows.treated + boosted!.testRows.control).toBe(12_776);
    expect(boosted!.qini).toBeGreaterThan(0);
    expect(boosted!.upliftAt30).toBeGreaterThan(evaluation.averageTreatmentEffectTest);
    expect(boosted!.upliftAt30).toBeGreaterThanOrEqual(HILLSTROM_TARGET_UPLIFT_AT_30);
    expect(evaluation.target.met).toBe(true);
  });
});
