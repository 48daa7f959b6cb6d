import { decodeRecord, scoringEventRegistry } from '@dunning/contracts';
import type { ComputedScore } from '../domain';
import { loadScoringSettings } from '../scoring-settings';
import { toOutboxMessage, toScoreComputedEvent } from './score-gateway';

const score: ComputedScore = {
  scoreId: 'score-1',
  customerId: 'cust-1',
  invoiceId: 'inv-1',
  computedAt: '2026-03-06T09:00:00.000Z',
  modelVersion: 'pay-without-collection@2026-03-01.0123456789ab',
  basis: 'model',
  probabilityPaysWithoutCollection: 0.83,
  uplift: [{ treatment: 'collection-handoff', effect: 0.04 }],
  reasons: [{ feature: 'late-count-12m', value: 0, contribution: 0.05, text: 'No late payment in the last 12 months: raises the chance of paying without collection' }],
  features: {} as ComputedScore['features'],
};

describe('the score gateway', () => {
  it('maps a score to a valid scoring.score.computed.v1 record, keyed by customer, with the score id as message id', () => {
    const message = toOutboxMessage(score, 'scores-topic');
    expect(message).toMatchObject({ topic: 'scores-topic', key: 'cust-1', messageId: 'score-1' });
    const decoded = decodeRecord({ key: message.key, value: Buffer.from(message.value as Buffer), headers: message.headers }, scoringEventRegistry);
    if (!decoded.ok) throw new Error(decoded.error.reason);
    expect(decoded.event).toMatchObject({ id: 'score-1', type: 'scoring.score.computed.v1', subject: 'inv-1', time: '2026-03-06T09:00:00.000Z' });
    expect(decoded.event.data).toEqual({
      scoreId: 'score-1',
      customerId: 'cust-1',
      invoiceId: 'inv-1',
      computedAt: '2026-03-06T09:00:00.000Z',
      modelVersion: 'pay-without-collection@2026-03-01.0123456789ab',
      probabilityPaysWithoutCollection: 0.83,
      uplift: [{ treatment: 'collection-handoff', effect: 0.04 }],
      topReasons: [{ feature: 'late-count-12m', contribution: 0.05, text: 'No late payment in the last 12 months: raises the chance of paying without collection' }],
    });
  });

  it('refuses a score the contract would reject', () => {
    expect(() => toScoreComputedEvent({ ...score, probabilityPaysWithoutCollection: 1.2 })).toThrow();
  });
});

describe('scoring settings', () => {
  it('reads topics, groups, thresholds and arm mappings from the environment', () => {
    const settings = loadScoringSettings({
      SCORING_SCORES_TOPIC: 'my-scores',
      SCORING_CONSUMER_GROUP_PREFIX: 'test-7',
      SCORING_RETRAIN_MIN_OUTCOMES: '50',
      SCORING_ARM_TREATMENTS: '{"exp/friendly":"sms-reminder"}',
      SCORING_CLASSIFIER: 'logistic-regression',
    });
    expect(settings.topics).toEqual({ invoices: 'invoicing.invoices.v1', actions: 'dunning.actions.v1', scores: 'my-scores' });
    expect(settings.consumerGroups).toEqual({ invoices: 'test-7.customer-features', actions: 'test-7.experiment-arms' });
    expect(settings.retrain.schedule.minOutcomes).toBe(50);
    expect(settings.armTreatments).toEqual({ 'exp/friendly': 'sms-reminder' });
    expect(settings.training.classifier).toBe('logistic-regression');
    expect(() => loadScoringSettings({ SCORING_ARM_TREATMENTS: '{"a":"phone-call"}' })).toThrow(/SCORING_ARM_TREATMENTS/);
    expect(() => loadScoringSettings({ SCORING_OVERDUE_SCAN_MS: 'soon' })).toThrow(/SCORING_OVERDUE_SCAN_MS/);
  });
});
