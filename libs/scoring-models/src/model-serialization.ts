import type { ProbabilisticClassifier } from './classifier';
import { AveragedClassifier } from './ensemble/averaged-classifier';
import { GradientBoostingClassifier } from './gradient-boosting/gradient-boosting';
import { GradientBoostingRegressor } from './gradient-boosting/gradient-boosting-regressor';
import { LogisticRegressionClassifier } from './logistic-regression/logistic-regression';
import type { Regressor } from './regressor';
import { AveragedUpliftModel } from './uplift/averaged-uplift';
import { PseudoOutcomeUpliftModel } from './uplift/pseudo-outcome-uplift';
import { SingleModelUpliftModel } from './uplift/single-model-uplift';
import { TwoModelUpliftModel } from './uplift/two-model-uplift';
import type { UpliftModel } from './uplift/uplift-model';
import { XLearnerUpliftModel } from './uplift/x-learner';

function kindOf(json: unknown): unknown {
  return typeof json === 'object' && json !== null ? (json as { kind?: unknown }).kind : undefined;
}

/** Rebuilds any stored classifier from its JSON, by its `kind`; rejects malformed models. */
export function deserializeClassifier(json: unknown): ProbabilisticClassifier {
  const kind = kindOf(json);
  switch (kind) {
    case 'gradient-boosting':
      return GradientBoostingClassifier.fromJSON(json);
    case 'logistic-regression':
      return LogisticRegressionClassifier.fromJSON(json);
    case 'averaged':
      return AveragedClassifier.fromJSON(json, deserializeClassifier);
    default:
      throw new Error(`unknown classifier kind ${JSON.stringify(kind)}`);
  }
}

/** Rebuilds a stored regressor from its JSON, by its `kind`. */
export function deserializeRegressor(json: unknown): Regressor {
  const kind = kindOf(json);
  switch (kind) {
    case 'gradient-boosting-regressor':
      return GradientBoostingRegressor.fromJSON(json);
    default:
      throw new Error(`unknown regressor kind ${JSON.stringify(kind)}`);
  }
}

/** Rebuilds a stored two-model (T-) learner; other kinds are refused (see `deserializeAnyUpliftModel`). */
export function deserializeUpliftModel(json: unknown): TwoModelUpliftModel {
  return TwoModelUpliftModel.fromJSON(json, deserializeClassifier);
}

/** Rebuilds any stored uplift model (T-, S-, X-learner, pseudo-outcome learner or an average of them) by its `kind`. */
export function deserializeAnyUpliftModel(json: unknown): UpliftModel {
  const kind = kindOf(json);
  switch (kind) {
    case 'two-model-uplift':
      return TwoModelUpliftModel.fromJSON(json, deserializeClassifier);
    case 'single-model-uplift':
      return SingleModelUpliftModel.fromJSON(json, deserializeClassifier);
    case 'x-learner':
      return XLearnerUpliftModel.fromJSON(json, deserializeRegressor);
    case 'pseudo-outcome-uplift':
      return PseudoOutcomeUpliftModel.fromJSON(json, deserializeRegressor);
    case 'averaged-uplift':
      return AveragedUpliftModel.fromJSON(json, deserializeAnyUpliftModel);
    default:
      throw new Error(`unknown uplift model kind ${JSON.stringify(kind)}`);
  }
}
