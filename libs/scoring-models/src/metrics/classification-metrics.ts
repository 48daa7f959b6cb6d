/* eslint-disable @typescript-eslint/no-non-null-assertion -- typed-array and row indices here are in range by construction; noUncheckedIndexedAccess cannot see it. */
/**
 * Metrics for probabilistic binary classifiers. Labels are 0/1, predictions are P(y = 1).
 */

function assertSameLength(labels: ArrayLike<number>, predictions: ArrayLike<number>): void {
  if (labels.length !== predictions.length) {
    throw new Error(`${labels.length} labels but ${predictions.length} predictions`);
  }
  if (labels.length === 0) throw new Error('no rows to score');
}

/**
 * Area under the ROC curve, computed as the Mann–Whitney statistic with average ranks, so
 * tied scores count one half (the same value as the trapezoidal ROC AUC of scikit-learn).
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  assertSameLength(labels, scores);
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) throw new Error(`score of row ${i} is NaN`);
  }
  order.sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSumOfPositives = 0;
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && scores[order[end]!] === scores[order[start]!]) end++;
    // Ranks start..end-1 (0-based) share their mean, 1-based: (start + 1 + end) / 2.
    const averageRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) {
      if (labels[order[k]!] === 1) {
        positives++;
        rankSumOfPositives += averageRank;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) throw new Error('ROC AUC needs both classes among the labels');
  return (rankSumOfPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Probabilities are clipped to [ε, 1 − ε] with ε the float64 machine epsilon, as scikit-learn does. */
const LOG_LOSS_EPSILON = 2.220446049250313e-16;

/** Mean negative log-likelihood (natural logarithm). */
export function logLoss(labels: ArrayLike<number>, probabilities: ArrayLike<number>): number {
  assertSameLength(labels, probabilities);
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(Math.max(probabilities[i]!, LOG_LOSS_EPSILON), 1 - LOG_LOSS_EPSILON);
    total -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return total / labels.length;
}

/** Mean squared difference between probability and outcome. */
export function brierScore(labels: ArrayLike<number>, probabilities: ArrayLike<number>): number {
  assertSameLength(labels, probabilities);
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const difference = probabilities[i]! - labels[i]!;
    total += difference * difference;
  }
  return total / labels.length;
}
