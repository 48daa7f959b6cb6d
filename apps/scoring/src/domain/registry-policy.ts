import type { ModelMetrics } from './training';
import { DAY_MS, toMillis, type Instant } from './time';

// Champion and challenger, and when to retrain: small named policies returning decisions as data.

export type ModelRole = 'champion' | 'challenger' | 'retired';

export interface PromotionPolicy {
  /** The candidate's holdout ROC AUC must beat the prior's by at least this. */
  readonly minAucGainOverPrior: number;
  /** … and the champion's (on the same holdout) by at least this. */
  readonly minAucGainOverChampion: number;
  /** … without a log loss worse than the champion's by more than this. */
  readonly maxLogLossIncrease: number;
}

export const DEFAULT_PROMOTION_POLICY: PromotionPolicy = { minAucGainOverPrior: 0, minAucGainOverChampion: 0, maxLogLossIncrease: 0.01 };

export type PromotionDecision = { readonly role: 'champion' | 'challenger'; readonly reason: string };

const fmt = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(4));

/** A new version becomes champion if it beats the prior and the current champion on the same holdout; else it waits as challenger. */
export function decidePromotion(metrics: ModelMetrics, policy: PromotionPolicy = DEFAULT_PROMOTION_POLICY): PromotionDecision {
  const auc = metrics.holdout.rocAuc;
  if (auc === null) return { role: 'challenger', reason: 'the holdout holds only one outcome class: ROC AUC cannot be measured' };
  const priorAuc = metrics.priorOnHoldout.rocAuc ?? 0.5;
  if (auc < priorAuc + policy.minAucGainOverPrior) {
    return { role: 'challenger', reason: `holdout ROC AUC ${fmt(auc)} does not beat the prior's ${fmt(priorAuc)} by ${policy.minAucGainOverPrior}` };
  }
  const champion = metrics.championOnHoldout;
  if (!champion) return { role: 'champion', reason: `no champion yet; holdout ROC AUC ${fmt(auc)} beats the prior's ${fmt(priorAuc)}` };
  const championAuc = champion.rocAuc ?? 0.5;
  if (auc < championAuc + policy.minAucGainOverChampion) {
    return { role: 'challenger', reason: `holdout ROC AUC ${fmt(auc)} does not beat champion ${champion.version}'s ${fmt(championAuc)}` };
  }
  if (metrics.holdout.logLoss > champion.logLoss + policy.maxLogLossIncrease) {
    return { role: 'challenger', reason: `log loss ${metrics.holdout.logLoss.toFixed(4)} is worse than champion ${champion.version}'s ${champion.logLoss.toFixed(4)}` };
  }
  return { role: 'champion', reason: `holdout ROC AUC ${fmt(auc)} ≥ champion ${champion.version}'s ${fmt(championAuc)}, and ≥ the prior's ${fmt(priorAuc)}` };
}

export interface RetrainSchedule {
  /** Labelled outcomes needed before the first model is trained. */
  readonly minOutcomes: number;
  /** New labelled outcomes since the last training that justify a new one. */
  readonly minNewOutcomes: number;
  /** Retrain at least this often (in days) once there is anything new. */
  readonly maxModelAgeDays: number;
}

export const DEFAULT_RETRAIN_SCHEDULE: RetrainSchedule = { minOutcomes: 200, minNewOutcomes: 100, maxModelAgeDays: 30 };

export interface LastTraining {
  readonly at: Instant;
  readonly outcomeCount: number;
}

export type RetrainDecision = { readonly retrain: boolean; readonly reason: string };

/** Whether the scheduled job should train now, given how many outcomes are labelled. */
export function decideRetrain(now: Instant, outcomeCount: number, last: LastTraining | undefined, schedule: RetrainSchedule = DEFAULT_RETRAIN_SCHEDULE): RetrainDecision {
  if (outcomeCount < schedule.minOutcomes) return { retrain: false, reason: `${outcomeCount} labelled outcomes, ${schedule.minOutcomes} needed` };
  if (!last) return { retrain: true, reason: `${outcomeCount} labelled outcomes and no model yet` };
  const fresh = outcomeCount - last.outcomeCount;
  if (fresh >= schedule.minNewOutcomes) return { retrain: true, reason: `${fresh} new outcomes since ${last.at}` };
  const ageDays = (toMillis(now) - toMillis(last.at)) / DAY_MS;
  if (fresh > 0 && ageDays >= schedule.maxModelAgeDays) return { retrain: true, reason: `last training ${Math.floor(ageDays)} days ago and ${fresh} new outcomes` };
  return { retrain: false, reason: `${fresh} new outcomes since ${last.at} (${schedule.minNewOutcomes} needed, or ${schedule.maxModelAgeDays} days)` };
}
