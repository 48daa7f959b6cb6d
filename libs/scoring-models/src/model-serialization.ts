import type { ProbabilisticClassifier } from './classifier';
import { AveragedClassifier } from './ensemble/averaged-classifier';
import { GradientBoostingClassifier } from './gradient-boosting/gradient-boosting';
import { LogisticRegressionClassifier } from './logistic-regression/logistic-regression';
import { TwoModelUpliftModel } from './uplift/two-model-uplift';

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

export function deserializeUpliftModel(json: unknown): TwoModelUpliftModel {
  return TwoModelUpliftModel.fromJSON(json, deserializeClassifier);
}
