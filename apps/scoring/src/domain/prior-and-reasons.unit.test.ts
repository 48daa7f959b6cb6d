import { createFeatureMatrix, trainGradientBoosting, trainLogisticRegression } from '@dunning/scoring-models';
import { FEATURE_NAMES, type FeatureValues } from './features';
import { PRIOR_MODEL_VERSION, scoreWithPrior } from './prior';
import { describeFeature, topReasons } from './reasons';
import { computeScore } from './scorer';

const base: FeatureValues = {
  'invoice-count': 12,
  'late-count-6m': 0,
  'late-count-12m': 0,
  'days-late-last-invoice': 0,
  'max-days-late': 0,
  'first-time-late': 1,
  'partial-payment-count': 0,
  'dispute-count': 0,
  'tenure-months': 30,
  'amount-ratio': 1,
  'usual-payday': 25,
  'days-to-payday': 3,
  'open-overdue-count': 0,
  'handoff-count': 0,
  'broken-plan-count': 0,
};
const snapshot = (values: Partial<FeatureValues>) => ({ customerId: 'c', invoiceId: 'i', asOf: '2026-01-01T00:00:00.000Z', values: { ...base, ...values } });
const identity = { scoreId: 's-1', computedAt: '2026-01-01T00:00:00.000Z' };

describe('the transparent prior', () => {
  it('gives a clean history a high probability and says it is the prior, in plain words', () => {
    const score = computeScore(snapshot({}), undefined, identity);
    expect(score.modelVersion).toBe(PRIOR_MODEL_VERSION);
    expect(score.basis).toBe('prior');
    expect(score.probabilityPaysWithoutCollection).toBeCloseTo(1 / (1 + Math.exp(-(Math.log(0.7 / 0.3) + 1.4))), 10);
    expect(score.probabilityPaysWithoutCollection).toBeGreaterThan(0.85);
    expect(score.uplift).toEqual([]); // the prior invents no treatment effects
    expect(score.reasons.map((r) => [r.feature, r.text])).toEqual([
      ['first-time-late', 'First time late after a clean payment history: raises the chance of paying without collection'],
    ]);
  });

  it('gives a habitual late payer with a collection history a low probability, strongest reason first', () => {
    const score = computeScore(snapshot({ 'first-time-late': 0, 'late-count-12m': 5, 'max-days-late': 50, 'handoff-count': 1, 'open-overdue-count': 2 }), undefined, identity);
    expect(score.probabilityPaysWithoutCollection).toBeLessThan(0.1);
    expect(score.reasons.map((r) => r.feature)).toEqual(['late-count-12m', 'handoff-count', 'max-days-late', 'open-overdue-count']);
    expect(score.reasons[0]!.text).toBe('Paid late 5 times in the last 12 months: lowers the chance of paying without collection');
    for (const reason of score.reasons) expect(reason.contribution).toBeLessThan(0);
  });

  it('sums fired rules in log-odds, capped at four late invoices', () => {
    const four = scoreWithPrior({ ...base, 'first-time-late': 0, 'late-count-12m': 4 });
    const nine = scoreWithPrior({ ...base, 'first-time-late': 0, 'late-count-12m': 9 });
    expect(four.probability).toBeCloseTo(nine.probability, 12);
    expect(four.contributions).toEqual([{ ruleId: 'late-in-last-12-months', feature: 'late-count-12m', value: 4, logOdds: -2.4 }]);
  });
});

describe('reasons from models', () => {
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < 400; i++) {
    const late = i % 5;
    const values = FEATURE_NAMES.map((name) => (name === 'late-count-12m' ? late : name === 'tenure-months' ? (i * 7) % 60 : 0));
    rows.push(values);
    labels.push(late >= 3 ? (i % 7 === 0 ? 1 : 0) : i % 9 === 0 ? 0 : 1);
  }
  const data = { features: createFeatureMatrix(FEATURE_NAMES, rows), labels: Uint8Array.from(labels) };

  it('the GBDT path contributions name the feature that drives the score, signed the right way', () => {
    const model = trainGradientBoosting(data, { maxIterations: 30, earlyStopping: false, seed: 1 });
    const lateScore = computeScore(snapshot({ 'late-count-12m': 4, 'tenure-months': 10, 'first-time-late': 0 }), { version: 'test@1', probability: model }, identity);
    expect(lateScore.basis).toBe('model');
    expect(lateScore.modelVersion).toBe('test@1');
    expect(lateScore.reasons[0]!.feature).toBe('late-count-12m');
    expect(lateScore.reasons[0]!.contribution).toBeLessThan(0);
    expect(lateScore.reasons[0]!.text).toMatch(/^Paid late 4 times in the last 12 months: lowers/);
    const contributions = model.explain(Float64Array.from(FEATURE_NAMES.map((n) => (n === 'late-count-12m' ? 4 : n === 'tenure-months' ? 10 : 0))));
    const logOdds = contributions.bias + contributions.contributions.reduce((a, b) => a + b, 0);
    expect(1 / (1 + Math.exp(-logOdds))).toBeCloseTo(lateScore.probabilityPaysWithoutCollection, 10);
  });

  it('logistic regression contributions are coefficient × standardized value', () => {
    const model = trainLogisticRegression(data);
    const score = computeScore(snapshot({ 'late-count-12m': 0, 'tenure-months': 30 }), { version: 'lr@1', probability: model }, identity);
    const late = score.reasons.find((r) => r.feature === 'late-count-12m');
    expect(late?.contribution).toBeGreaterThan(0); // no late invoices: above the average of 2, so it raises the chance
    expect(late?.text).toBe('No late payment in the last 12 months: raises the chance of paying without collection');
  });

  it('keeps at most five reasons, largest first, and drops negligible ones', () => {
    const reasons = topReasons(
      FEATURE_NAMES.map((feature, i) => ({ feature, value: 1, logOdds: i % 2 === 0 ? i / 10 : -i / 10 })),
      0.5,
    );
    expect(reasons).toHaveLength(5);
    expect(reasons.map((r) => Math.abs(r.contribution))).toEqual([...reasons.map((r) => Math.abs(r.contribution))].sort((a, b) => b - a));
    expect(topReasons([{ feature: 'dispute-count', value: 0, logOdds: 1e-9 }], 0.5)).toEqual([]);
    expect(describeFeature('amount-ratio', Number.NaN)).toBe('No usual amount to compare with yet');
  });
});
