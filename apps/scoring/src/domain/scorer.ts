import type { DunningTreatment } from '@dunning/contracts';
import type { ProbabilisticClassifier, TwoModelUpliftModel } from '@dunning/scoring-models';
import { FEATURE_NAMES, featureVector, type FeatureName, type FeatureSnapshot, type FeatureValues } from './features';
import { PRIOR_MODEL_VERSION, scoreWithPrior } from './prior';
import { topReasons, type LogOddsContribution, type ScoreReason } from './reasons';
import type { Instant } from './time';

/** A trained model version ready to serve: the probability model and, when experiments allowed it, the uplift model. */
export interface ModelBundle {
  readonly version: string;
  readonly probability: ProbabilisticClassifier;
  /** Arms are treatment names; the control arm is no-action. */
  readonly uplift?: TwoModelUpliftModel;
}

export interface TreatmentEffect {
  readonly treatment: DunningTreatment;
  readonly effect: number;
}

export interface ComputedScore {
  readonly scoreId: string;
  readonly customerId: string;
  readonly invoiceId: string;
  readonly computedAt: Instant;
  readonly modelVersion: string;
  /** prior: the transparent rules scored because no trained model is champion yet. */
  readonly basis: 'model' | 'prior';
  readonly probabilityPaysWithoutCollection: number;
  readonly uplift: readonly TreatmentEffect[];
  readonly reasons: readonly ScoreReason[];
  readonly features: FeatureValues;
}

const isFeatureName = (name: string): name is FeatureName => (FEATURE_NAMES as readonly string[]).includes(name);
const clamp = (x: number, low: number, high: number): number => Math.min(high, Math.max(low, x));

export interface ScoreIdentity {
  readonly scoreId: string;
  readonly computedAt: Instant;
}

/** Scores one snapshot with a model, or with the prior when there is none. Pure: ids and time come in. */
export function computeScore(snapshot: FeatureSnapshot, model: ModelBundle | undefined, identity: ScoreIdentity, reasonCount = 5): ComputedScore {
  const common = { ...identity, customerId: snapshot.customerId, invoiceId: snapshot.invoiceId, features: snapshot.values };
  if (!model) {
    const prior = scoreWithPrior(snapshot.values);
    return {
      ...common,
      modelVersion: PRIOR_MODEL_VERSION,
      basis: 'prior',
      probabilityPaysWithoutCollection: prior.probability,
      uplift: [],
      reasons: topReasons(prior.contributions, prior.probability, reasonCount),
    };
  }
  const row = featureVector(snapshot.values, model.probability.featureNames);
  const probability = model.probability.predictProbability(row);
  const explanation = model.probability.explain(row);
  const contributions: LogOddsContribution[] = [];
  model.probability.featureNames.forEach((name, i) => {
    if (isFeatureName(name)) contributions.push({ feature: name, value: snapshot.values[name], logOdds: explanation.contributions[i] ?? 0 });
  });
  const uplift: TreatmentEffect[] = [];
  if (model.uplift) {
    const upliftRow = featureVector(snapshot.values, model.uplift.featureNames);
    const effects = model.uplift.predictUplift(upliftRow);
    for (const treatment of Object.keys(effects).sort()) {
      uplift.push({ treatment: treatment as DunningTreatment, effect: clamp(effects[treatment] ?? 0, -1, 1) });
    }
  }
  return {
    ...common,
    modelVersion: model.version,
    basis: 'model',
    probabilityPaysWithoutCollection: probability,
    uplift,
    reasons: topReasons(contributions, probability, reasonCount),
  };
}
