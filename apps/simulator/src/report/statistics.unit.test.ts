import { meanDifference, meanWithInterval, rateDifference, riskRatioReduction, shareWhoWouldHavePaidAnyway, wilson } from './statistics';

// Reference values: Newcombe, "Two-sided confidence intervals for the single proportion: comparison of
// seven methods", Statistics in Medicine 17 (1998), table II (Wilson score method, no continuity
// correction); and "Interval estimation for the difference between independent proportions", ibid.,
// table II (the Wald interval of example (a), 56/70 − 48/80).

describe('Wilson interval', () => {
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i/%i → [%f, %f]', (successes, n, low, high) => {
    const interval = wilson(successes, n);
    expect(interval.estimate).toBeCloseTo(successes / n, 12);
    expect(interval.low).toBeCloseTo(low, 4);
    expect(interval.high).toBeCloseTo(high, 4);
  });

  it('has no estimate for an empty group and rejects impossible counts', () => {
    expect(Number.isNaN(wilson(0, 0).estimate)).toBe(true);
    expect(() => wilson(5, 3)).toThrow('0 <= successes <= n');
    expect(() => wilson(1.5, 3)).toThrow();
  });
});

describe('differences', () => {
  it('of proportions: the Wald interval of Newcombe’s example (a)', () => {
    const d = rateDifference({ successes: 56, n: 70 }, { successes: 48, n: 80 });
    expect(d.estimate).toBeCloseTo(0.2, 12);
    expect(d.low).toBeCloseTo(0.0575, 4);
    expect(d.high).toBeCloseTo(0.3425, 4);
  });

  it('of means: a normal-approximation interval from the two standard errors', () => {
    const a = meanWithInterval([1, 2, 3, 4, 5]);
    expect(a.estimate).toBe(3);
    expect(a.sd).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(a.low).toBeCloseTo(3 - 1.959964 * Math.sqrt(2.5 / 5), 5);
    const b = meanWithInterval([2, 2, 2, 2]);
    const d = meanDifference(a, b);
    expect(d.estimate).toBe(1);
    expect(d.high - d.estimate).toBeCloseTo(1.959964 * Math.sqrt(2.5 / 5), 5);
  });
});

describe('the share who would have paid anyway', () => {
  it('is (p0 − a) / q with a delta-method interval (hand computation)', () => {
    const share = shareWhoWouldHavePaidAnyway({ paid: 700, n: 1000 }, { paidBeforeDemand: 600, paidAfterDemand: 150, n: 1000 });
    expect(share.estimate).toBeCloseTo(0.1 / 0.15, 12);
    // Var = p0(1−p0)/n0/q² + a(1−a)/nc/q² + (p0−a)²q(1−q)/nc/q⁴ − 2(p0−a)·a/(q²·nc) = 0.0171852
    expect(share.high - share.estimate).toBeCloseTo(1.959964 * Math.sqrt(0.0171852), 4);
    expect(share.low).toBeCloseTo(0.6667 - 0.25694, 3);
  });

  it('the interval covers the true share about 95 % of the time (simulated experiments)', () => {
    // Truth: 70 % pay without action; with collection 60 % pay before the demand, 15 % after, of whom 2/3 would have anyway.
    let state = 12345;
    const uniform = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
    let covered = 0;
    const runs = 400;
    for (let r = 0; r < runs; r += 1) {
      let paid = 0;
      for (let i = 0; i < 2000; i += 1) if (uniform() < 0.7) paid += 1;
      let before = 0;
      let after = 0;
      for (let i = 0; i < 2000; i += 1) {
        const u = uniform();
        if (u < 0.6) before += 1;
        else if (u < 0.75) after += 1;
      }
      const share = shareWhoWouldHavePaidAnyway({ paid, n: 2000 }, { paidBeforeDemand: before, paidAfterDemand: after, n: 2000 });
      if (share.low <= 2 / 3 && 2 / 3 <= share.high) covered += 1;
    }
    expect(covered / runs).toBeGreaterThan(0.92);
    expect(covered / runs).toBeLessThan(0.98);
  });

  it('is clamped to [0, 1] and undefined when nobody paid after a demand', () => {
    expect(shareWhoWouldHavePaidAnyway({ paid: 900, n: 1000 }, { paidBeforeDemand: 100, paidAfterDemand: 50, n: 1000 }).estimate).toBe(1);
    expect(Number.isNaN(shareWhoWouldHavePaidAnyway({ paid: 9, n: 10 }, { paidBeforeDemand: 1, paidAfterDemand: 0, n: 10 }).estimate)).toBe(true);
  });
});

describe('relative reduction of a rate (Katz log interval of the risk ratio)', () => {
  it('10/100 against 20/100: half the rate, interval by hand', () => {
    // log RR = ln 0.5; se = sqrt(1/10 − 1/100 + 1/20 − 1/100) = sqrt(0.13); RR in exp(ln 0.5 ± 1.959964·0.360555)
    const r = riskRatioReduction({ successes: 10, n: 100 }, { successes: 20, n: 100 });
    expect(r.estimate).toBeCloseTo(0.5, 12);
    expect(r.low).toBeCloseTo(1 - Math.exp(Math.log(0.5) + 1.959963984540054 * Math.sqrt(0.13)), 12);
    expect(r.high).toBeCloseTo(1 - Math.exp(Math.log(0.5) - 1.959963984540054 * Math.sqrt(0.13)), 12);
    expect(r.low).toBeCloseTo(-0.01362, 4);
    expect(r.high).toBeCloseTo(0.75336, 4);
  });

  it('no events in the treated group: the estimate is 100 %, the interval from the Haldane-corrected counts', () => {
    const r = riskRatioReduction({ successes: 0, n: 500 }, { successes: 100, n: 500 });
    expect(r.estimate).toBe(1);
    expect(r.high).toBe(1);
    expect(r.low).toBeGreaterThan(0.9);
    expect(r.low).toBeLessThan(1);
  });

  it('undefined when the reference rate is 0', () => {
    expect(Number.isNaN(riskRatioReduction({ successes: 3, n: 50 }, { successes: 0, n: 50 }).estimate)).toBe(true);
  });
});
