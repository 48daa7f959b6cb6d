import { chiSquareSurvival, compareProportions, normalCdf, ratioOfProportions, wilsonInterval } from './statistics';

// Expected values computed by hand (formulas in docs/orchestrator.md) and cross-checked with
// published tables: Φ(1.96) = 0.9750, χ²(2) critical value 5.991 at 5 %, χ²(1) 3.841.
describe('statistics', () => {
  it('normal CDF matches the table', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
  });

  it('Wilson interval of 60/100 is [0.5020, 0.6906]', () => {
    const interval = wilsonInterval(60, 100)!;
    expect(interval.low).toBeCloseTo(0.502, 3);
    expect(interval.high).toBeCloseTo(0.6906, 3);
    expect(wilsonInterval(0, 0)).toBeUndefined();
    expect(wilsonInterval(0, 20)!.low).toBe(0);
  });

  it('two-proportion test of 45/100 vs 60/100', () => {
    // pooled p = 0.525, SE = sqrt(0.525·0.475·0.02) = 0.070622, z = -0.15 / 0.070622 = -2.1240, p = 0.0337.
    // unpooled SE = sqrt(0.002475 + 0.0024) = 0.069821, CI = -0.15 ± 0.13685.
    const result = compareProportions(45, 100, 60, 100)!;
    expect(result.difference).toBeCloseTo(-0.15, 10);
    expect(result.z).toBeCloseTo(-2.124, 3);
    expect(result.pValue).toBeCloseTo(0.0337, 3);
    expect(result.ci95.low).toBeCloseTo(-0.28685, 4);
    expect(result.ci95.high).toBeCloseTo(-0.01315, 4);
  });

  it('ratio of proportions 40/100 over 50/100 with the Katz interval', () => {
    // SE(log) = sqrt(1/40 - 1/100 + 1/50 - 1/100) = 0.158114; 0.8 · exp(±1.96 · 0.158114) = [0.5868, 1.0906].
    const result = ratioOfProportions(40, 100, 50, 100)!;
    expect(result.ratio).toBeCloseTo(0.8, 10);
    expect(result.ci95.low).toBeCloseTo(0.5868, 3);
    expect(result.ci95.high).toBeCloseTo(1.0906, 3);
  });

  it('chi-square survival matches critical values', () => {
    expect(chiSquareSurvival(5.991, 2)).toBeCloseTo(0.05, 3);
    expect(chiSquareSurvival(3.841, 1)).toBeCloseTo(0.05, 3);
    expect(chiSquareSurvival(13.816, 2)).toBeCloseTo(0.001, 4);
    expect(chiSquareSurvival(0, 3)).toBe(1);
  });
});
