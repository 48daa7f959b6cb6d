import { armAssigned, handoffRequested } from '../../test-support/invoice-events';
import { armFactOf, mostIntensive, treatmentOfArm } from './experiment-arms';
import { decidePromotion, decideRetrain } from './registry-policy';
import type { ClassificationMetrics, ModelMetrics } from './training';

const m = (rocAuc: number | null, logLoss = 0.5): ClassificationMetrics => ({ rows: 100, positiveRate: 0.5, rocAuc, logLoss, brierScore: 0.2 });
const metrics = (model: ClassificationMetrics, prior: ClassificationMetrics, champion?: ClassificationMetrics): ModelMetrics => ({
  training: { rows: 500, positiveRate: 0.5 },
  holdout: model,
  priorOnHoldout: prior,
  ...(champion ? { championOnHoldout: { ...champion, version: 'pay-without-collection@old' } } : {}),
});

describe('champion and challenger', () => {
  it('the first model that beats the prior becomes champion', () => {
    expect(decidePromotion(metrics(m(0.8), m(0.7)))).toEqual({ role: 'champion', reason: "no champion yet; holdout ROC AUC 0.8000 beats the prior's 0.7000" });
  });
  it('a model that does not beat the prior waits as challenger', () => {
    expect(decidePromotion(metrics(m(0.65), m(0.7))).role).toBe('challenger');
    expect(decidePromotion(metrics(m(null), m(0.7))).reason).toMatch(/only one outcome class/);
  });
  it('replaces the champion only when better on the same holdout, without a worse log loss', () => {
    expect(decidePromotion(metrics(m(0.82), m(0.7), m(0.8))).role).toBe('champion');
    expect(decidePromotion(metrics(m(0.79), m(0.7), m(0.8))).role).toBe('challenger');
    expect(decidePromotion(metrics(m(0.82, 0.7), m(0.7), m(0.8, 0.5))).reason).toMatch(/log loss 0.7000 is worse/);
  });
});

describe('retraining schedule', () => {
  const now = '2026-03-01T00:00:00.000Z';
  it('waits for enough outcomes, trains the first model, then retrains on new outcomes or age', () => {
    expect(decideRetrain(now, 150, undefined)).toEqual({ retrain: false, reason: '150 labelled outcomes, 200 needed' });
    expect(decideRetrain(now, 250, undefined).retrain).toBe(true);
    expect(decideRetrain(now, 300, { at: '2026-02-25T00:00:00.000Z', outcomeCount: 250 }).retrain).toBe(false);
    expect(decideRetrain(now, 350, { at: '2026-02-25T00:00:00.000Z', outcomeCount: 250 })).toEqual({ retrain: true, reason: '100 new outcomes since 2026-02-25T00:00:00.000Z' });
    expect(decideRetrain(now, 251, { at: '2026-01-01T00:00:00.000Z', outcomeCount: 250 }).reason).toMatch(/last training 59 days ago/);
    expect(decideRetrain(now, 250, { at: '2026-01-01T00:00:00.000Z', outcomeCount: 250 }).retrain).toBe(false);
  });
});

describe('arm → treatment', () => {
  it('reads assignments and actions from dunning events', () => {
    expect(armFactOf(armAssigned('c', 'i', 'exp', 'collection', '2026-01-01T00:00:00.000Z'))).toEqual({
      kind: 'assignment',
      fact: { experimentId: 'exp', arm: 'collection', invoiceId: 'i', customerId: 'c', assignedAt: '2026-01-01T00:00:00.000Z' },
    });
    expect(armFactOf(handoffRequested('c', 'i', 'exp', 'collection', '2026-01-01T00:00:00.000Z'))).toEqual({
      kind: 'action',
      fact: { experimentId: 'exp', arm: 'collection', invoiceId: 'i', treatment: 'collection-handoff' },
    });
  });
  it('configuration wins, then a treatment-like arm name, then the most intensive action seen', () => {
    expect(treatmentOfArm('exp', 'friendly', ['sms-reminder'], { 'exp/friendly': 'email-reminder' })).toEqual({ treatment: 'email-reminder', source: 'configured' });
    expect(treatmentOfArm('exp', 'no-action', ['sms-reminder'])).toEqual({ treatment: 'no-action', source: 'arm-name' });
    expect(treatmentOfArm('exp', 'collection', ['sms-reminder', 'collection-handoff', 'letter-reminder'])).toEqual({ treatment: 'collection-handoff', source: 'observed-actions' });
    expect(treatmentOfArm('exp', 'quiet', ['no-action'])).toEqual({ treatment: 'no-action', source: 'no-actions' });
    expect(treatmentOfArm('exp', 'unknown', [])).toBeUndefined();
    expect(mostIntensive(['email-reminder', 'sms-reminder'])).toBe('sms-reminder');
  });
});
