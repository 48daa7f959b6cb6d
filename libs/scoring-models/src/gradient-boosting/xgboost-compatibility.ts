import type { GradientBoostingOptions } from './boosting';

/** The XGBClassifier parameters this GBDT can follow exactly (scikit-learn API names). */
export interface XGBoostParameters {
  readonly max_depth?: number;
  readonly learning_rate?: number;
  readonly n_estimators?: number;
  readonly min_child_weight?: number;
  readonly reg_lambda?: number;
  readonly base_score?: number;
  /** Only exact greedy splits ('exact', or 'auto', which XGBoost 1.x resolves to exact below 2²² rows). */
  readonly tree_method?: 'exact' | 'auto';
}

/**
 * Options that make this GBDT grow the trees of XGBoost 1.7's `XGBClassifier` with the given
 * parameters and its defaults for the rest (depth 6, eta 0.3, 100 rounds, min_child_weight 1,
 * lambda 1, alpha 0, gamma 0, base_score 0.5, no subsampling), with exact greedy splits: depth-wise
 * and leaf-wise growth make the same trees when every node with a gain is split, which a leaf
 * budget of 2^depth allows, and XGBoost requires no least row count per leaf. The 'xgboost-exact'
 * tree method follows its split search, split values and float32 arithmetic; what stays different
 * is prediction, which sums the trees' float32 leaf values in float64 where XGBoost sums in float32
 * (about 10⁻⁷ on a probability; the fidelity test bounds it).
 */
export function xgboostExactOptions(parameters: XGBoostParameters = {}): Partial<GradientBoostingOptions> {
  const maxDepth = parameters.max_depth ?? 6;
  return {
    maxDepth,
    maxLeafNodes: 2 ** maxDepth,
    learningRate: parameters.learning_rate ?? 0.3,
    maxIterations: parameters.n_estimators ?? 100,
    minSamplesLeaf: 1,
    minChildWeight: parameters.min_child_weight ?? 1,
    l2Regularization: parameters.reg_lambda ?? 1,
    baseScore: parameters.base_score ?? 0.5,
    treeMethod: 'xgboost-exact',
    earlyStopping: false,
    subsample: 1,
  };
}
