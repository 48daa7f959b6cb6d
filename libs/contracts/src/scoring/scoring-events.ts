import { z } from 'zod';
import { defineIntegrationEvent } from '../cloudevents/envelope';
import { createEventRegistry, type EventOfRegistry } from '../cloudevents/event-registry';
import { customerId, entityId, instant, probability, versionLabel } from '../shared/primitives';
import { dunningTreatment } from '../shared/vocabulary';
import { TOPICS } from '../topics';

// scoring's public events (scoring.scores.v1). A score is a prediction for one open invoice, always
// naming the model that made it, so a decision can be traced back to it and experiments compared.

export const SCORING_SOURCE = 'urn:dunning:scoring';

export const treatmentUplift = z
  .object({
    treatment: dunningTreatment,
    effect: z
      .number()
      .min(-1)
      .max(1)
      .meta({ description: 'Estimated change in the probability of paying by the due date + grace period, compared to no-action (-1..1).' }),
    interval: z
      .object({ lower: z.number().min(-1).max(1), upper: z.number().min(-1).max(1) })
      .optional()
      .meta({ description: '90 % interval of the effect, when the model gives one.' }),
  })
  .meta({ description: 'Uplift (treatment effect) of one treatment, learned from randomized experiments.' });

export const scoreReason = z
  .object({
    feature: z.string().regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/).max(100).meta({ description: 'Feature name, e.g. days-late-last-invoice. Never a protected attribute.' }),
    contribution: z.number().meta({ description: 'Signed contribution to the probability (e.g. a SHAP value).' }),
    text: z
      .string({ error: 'expected the reason in words as a string' })
      .min(1, { error: 'expected the reason in words as a non-empty string' })
      .max(300, { error: 'expected the reason in words of at most 300 characters' })
      .optional()
      .meta({
        description: 'The reason in plain words for people (customer care, auditors), never personal data. Optional: added within v1.',
        examples: ['Paid late 5 times in the last 12 months: lowers the chance of paying without collection'],
      }),
  })
  .meta({ description: 'One of the strongest reasons behind the score.' });

export const scoreComputedData = z.object({
  scoreId: entityId('the score id'),
  customerId,
  invoiceId: entityId('the invoice id'),
  computedAt: instant,
  modelVersion: versionLabel('the model version, e.g. pay-without-collection@2026-03-01'),
  probabilityPaysWithoutCollection: probability.meta({ description: 'Probability (0..1) that the invoice is paid without a collection hand-off.' }),
  uplift: z.array(treatmentUplift).max(10).meta({ description: 'Uplift per treatment; no-action is the baseline and may be omitted.' }),
  topReasons: z.array(scoreReason).max(5).meta({ description: 'The strongest reasons, most important first (at most 5).' }),
});

export const scoringScoreComputed = defineIntegrationEvent({
  type: 'scoring.score.computed.v1',
  summary: 'A score was computed for an open invoice: probability of paying without collection, uplift per treatment, model version, top reasons.',
  data: scoreComputedData,
});

export const scoringEventRegistry = createEventRegistry(
  {
    topic: TOPICS.scoringScores,
    title: 'Scores (scoring)',
    description: 'Predictions per open invoice. Record key = customerId.',
    producer: 'scoring',
    consumers: ['dunning-orchestrator'],
    timeRequired: true,
  },
  [scoringScoreComputed],
);

export type ScoringEvent = EventOfRegistry<typeof scoringEventRegistry>;
export type ScoringEventType = ScoringEvent['type'];
export type ScoreComputedData = z.infer<typeof scoreComputedData>;
