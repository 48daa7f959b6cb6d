// Small, dependency-free statistics for experiment results. Every formula is the textbook one;
// docs/orchestrator.md names them and the tests check them against hand-computed values.

export const Z_95 = 1.959963984540054;

export interface Interval {
  readonly low: number;
  readonly high: number;
}

/** Standard normal cumulative distribution, via erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Wilson score interval for a proportion (good near 0 and 1 and for small n). */
export function wilsonInterval(successes: number, trials: number, z = Z_95): Interval | undefined {
  if (trials === 0) return undefined;
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface ProportionComparison {
  /** Treatment rate minus control rate. */
  readonly difference: number;
  /** Wald (unpooled) 95 % interval of the difference. */
  readonly ci95: Interval;
  /** Two-sided p-value of the pooled two-proportion z-test. */
  readonly pValue: number;
  readonly z: number;
}

export function compareProportions(treatmentSuccesses: number, treatmentTrials: number, controlSuccesses: number, controlTrials: number): ProportionComparison | undefined {
  if (treatmentTrials === 0 || controlTrials === 0) return undefined;
  const p1 = treatmentSuccesses / treatmentTrials;
  const p2 = controlSuccesses / controlTrials;
  const difference = p1 - p2;
  const se = Math.sqrt((p1 * (1 - p1)) / treatmentTrials + (p2 * (1 - p2)) / controlTrials);
  const pooled = (treatmentSuccesses + controlSuccesses) / (treatmentTrials + controlTrials);
  const pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / treatmentTrials + 1 / controlTrials));
  const z = pooledSe === 0 ? 0 : difference / pooledSe;
  const pValue = pooledSe === 0 ? 1 : 2 * (1 - normalCdf(Math.abs(z)));
  return { difference, ci95: { low: difference - Z_95 * se, high: difference + Z_95 * se }, pValue, z };
}

/** Ratio of two independent proportions a/b with the Katz log interval. */
export function ratioOfProportions(aSuccesses: number, aTrials: number, bSuccesses: number, bTrials: number): { ratio: number; ci95: Interval } | undefined {
  if (aTrials === 0 || bTrials === 0 || aSuccesses === 0 || bSuccesses === 0) return undefined;
  const ratio = aSuccesses / aTrials / (bSuccesses / bTrials);
  const se = Math.sqrt(1 / aSuccesses - 1 / aTrials + 1 / bSuccesses - 1 / bTrials);
  return { ratio, ci95: { low: ratio * Math.exp(-Z_95 * se), high: ratio * Math.exp(Z_95 * se) } };
}

/** ln Γ(x) by the Lanczos approximation (g = 7, n = 9). */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const xx = x - 1;
  let a = c[0] ?? 0;
  const t = xx + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] ?? 0) / (xx + i);
  return 0.5 * Math.log(2 * Math.PI) + (xx + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised upper incomplete gamma Q(a, x) (series below a+1, continued fraction above). */
function upperRegularisedGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 500; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return 1 - sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
  }
  let b = x + 1 - a;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** P(X >= statistic) for a chi-square distribution with `degreesOfFreedom`. */
export function chiSquareSurvival(statistic: number, degreesOfFreedom: number): number {
  return upperRegularisedGamma(degreesOfFreedom / 2, statistic / 2);
}

/** Pearson's goodness-of-fit test of observed counts against expected shares. */
export function chiSquareGoodnessOfFit(observed: readonly number[], expectedShares: readonly number[]): { statistic: number; degreesOfFreedom: number; pValue: number } {
  const total = observed.reduce((sum, count) => sum + count, 0);
  const shareSum = expectedShares.reduce((sum, share) => sum + share, 0);
  let statistic = 0;
  observed.forEach((count, i) => {
    const expected = (total * (expectedShares[i] ?? 0)) / shareSum;
    statistic += ((count - expected) * (count - expected)) / expected;
  });
  const degreesOfFreedom = observed.length - 1;
  return { statistic, degreesOfFreedom, pValue: chiSquareSurvival(statistic, degreesOfFreedom) };
}
