// The statistics of the experiment table: Wilson score intervals for rates, normal-approximation
// (Wald) intervals for differences of rates and of means, and the delta-method interval of the
// "would have paid anyway" share. Pure functions; z defaults to 1.959964 (95 %).

export const Z95 = 1.959963984540054;

export interface Interval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

export interface RateEstimate extends Interval {
  readonly successes: number;
  readonly n: number;
}

/** Wilson score interval for a binomial proportion (Wilson 1927); well-behaved at 0, 1 and small n. */
export function wilson(successes: number, n: number, z = Z95): RateEstimate {
  if (!Number.isInteger(successes) || !Number.isInteger(n) || successes < 0 || n < 0 || successes > n) {
    throw new Error(`wilson: expected integers 0 <= successes <= n, got ${successes}/${n}`);
  }
  if (n === 0) return { successes, n, estimate: Number.NaN, low: Number.NaN, high: Number.NaN };
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { successes, n, estimate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Difference of two proportions a − b with a Wald (normal-approximation) interval. */
export function rateDifference(a: { successes: number; n: number }, b: { successes: number; n: number }, z = Z95): Interval {
  if (a.n === 0 || b.n === 0) return { estimate: Number.NaN, low: Number.NaN, high: Number.NaN };
  const pa = a.successes / a.n;
  const pb = b.successes / b.n;
  const se = Math.sqrt((pa * (1 - pa)) / a.n + (pb * (1 - pb)) / b.n);
  const estimate = pa - pb;
  return { estimate, low: estimate - z * se, high: estimate + z * se };
}

export interface MeanEstimate extends Interval {
  readonly n: number;
  readonly sd: number;
}

/** A mean with a normal-approximation interval (sample standard deviation, n − 1). */
export function meanWithInterval(values: readonly number[], z = Z95): MeanEstimate {
  const n = values.length;
  if (n === 0) return { n, sd: Number.NaN, estimate: Number.NaN, low: Number.NaN, high: Number.NaN };
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  const variance = n > 1 ? values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1) : 0;
  const sd = Math.sqrt(variance);
  const half = z * (sd / Math.sqrt(n));
  return { n, sd, estimate: mean, low: mean - half, high: mean + half };
}

/** Difference of two means a − b with a normal-approximation (Welch) interval. */
export function meanDifference(a: MeanEstimate, b: MeanEstimate, z = Z95): Interval {
  if (a.n === 0 || b.n === 0) return { estimate: Number.NaN, low: Number.NaN, high: Number.NaN };
  const se = Math.sqrt(a.sd ** 2 / a.n + b.sd ** 2 / b.n);
  const estimate = a.estimate - b.estimate;
  return { estimate, low: estimate - z * se, high: estimate + z * se };
}

/**
 * Of those in the collection arm who paid after the collection demand, the share who would have
 * paid without it: (p0 − a) / q, where p0 is the no-action arm's paid rate, a the collection arm's
 * rate of paying before the demand and q its rate of paying after it (docs/orchestrator.md). The
 * interval is the delta method with p0 independent of the multinomial (a, q); the estimate is
 * clamped to [0, 1].
 */
export function shareWhoWouldHavePaidAnyway(
  noAction: { paid: number; n: number },
  collection: { paidBeforeDemand: number; paidAfterDemand: number; n: number },
  z = Z95,
): Interval {
  if (noAction.n === 0 || collection.n === 0 || collection.paidAfterDemand === 0) return { estimate: Number.NaN, low: Number.NaN, high: Number.NaN };
  const p0 = noAction.paid / noAction.n;
  const a = collection.paidBeforeDemand / collection.n;
  const q = collection.paidAfterDemand / collection.n;
  const nc = collection.n;
  const f = (p0 - a) / q;
  const varP0 = (p0 * (1 - p0)) / noAction.n;
  const varA = (a * (1 - a)) / nc;
  const varQ = (q * (1 - q)) / nc;
  const covAQ = (-a * q) / nc;
  // Gradient of f: (1/q, −1/q, −(p0 − a)/q²) over (p0, a, q).
  const dA = -1 / q;
  const dQ = -(p0 - a) / (q * q);
  const variance = varP0 / (q * q) + dA * dA * varA + dQ * dQ * varQ + 2 * dA * dQ * covAQ;
  const se = Math.sqrt(Math.max(0, variance));
  const clamp = (x: number): number => Math.min(1, Math.max(0, x));
  return { estimate: clamp(f), low: clamp(f - z * se), high: clamp(f + z * se) };
}

/**
 * Relative reduction of a rate, 1 − (a / nA) / (b / nB) (e.g. "84 % fewer hand-offs than the
 * control"), with the Katz log interval of the risk ratio (Katz et al. 1978); with a zero count both
 * counts get 0.5 and both sizes 1 for the interval (Haldane), the estimate stays the observed one, and
 * with no events in the treated group the interval reaches 100 %.
 * NaN when the reference rate is 0 (nothing to reduce).
 */
export function riskRatioReduction(a: { successes: number; n: number }, b: { successes: number; n: number }, z = Z95): Interval {
  if (a.n === 0 || b.n === 0 || b.successes === 0) return { estimate: Number.NaN, low: Number.NaN, high: Number.NaN };
  const estimate = 1 - a.successes / a.n / (b.successes / b.n);
  const zero = a.successes === 0 || b.successes === 0 || a.successes === a.n || b.successes === b.n;
  const [x, nx, y, ny] = zero ? [a.successes + 0.5, a.n + 1, b.successes + 0.5, b.n + 1] : [a.successes, a.n, b.successes, b.n];
  const logRatio = Math.log(x / nx / (y / ny));
  const se = Math.sqrt(1 / x - 1 / nx + 1 / y - 1 / ny);
  // No events in the treated group: the ratio's lower bound is 0, i.e. a reduction of up to 100 %.
  return { estimate, low: 1 - Math.exp(logRatio + z * se), high: a.successes === 0 ? 1 : 1 - Math.exp(logRatio - z * se) };
}
