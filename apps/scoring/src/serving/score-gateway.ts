import { SCORING_SOURCE, scoring } from '@dunning/contracts';
import { encodeBinary } from '@dunning/contracts';
import type { OutboxMessage } from '@dunning/event-store';
import type { ComputedScore } from '../domain';

export type ScoreComputedEvent = ReturnType<typeof scoring.scoringScoreComputed.envelope.parse>;

/** Maps a computed score to the public event scoring.score.computed.v1 (validated against the contract). */
export function toScoreComputedEvent(score: ComputedScore): ScoreComputedEvent {
  return scoring.scoringScoreComputed.envelope.parse({
    specversion: '1.0',
    id: score.scoreId,
    source: SCORING_SOURCE,
    type: scoring.scoringScoreComputed.type,
    time: score.computedAt,
    subject: score.invoiceId,
    data: {
      scoreId: score.scoreId,
      customerId: score.customerId,
      invoiceId: score.invoiceId,
      computedAt: score.computedAt,
      modelVersion: score.modelVersion,
      probabilityPaysWithoutCollection: score.probabilityPaysWithoutCollection,
      uplift: score.uplift.map((u) => ({ treatment: u.treatment, effect: u.effect })),
      // The words are built from feature values and fixed phrases only (no personal data); bounded as the contract asks.
      topReasons: score.reasons.map((r) => ({ feature: r.feature, contribution: r.contribution, ...(r.text ? { text: r.text.slice(0, 300) } : {}) })),
    },
  });
}

/** The outbox row that publishes a score: binary-mode CloudEvent, keyed by customer, de-duplicated by score id. */
export function toOutboxMessage(score: ComputedScore, topic: string): OutboxMessage {
  const record = encodeBinary(toScoreComputedEvent(score));
  return { topic, key: record.key, messageId: score.scoreId, value: record.value, headers: record.headers };
}
