import { brierScore, logLoss, rocAuc } from './classification-metrics';

describe('rocAuc', () => {
  it('counts the ordered positive–negative pairs', () => {
    // Positives 0.35, 0.8; negatives 0.1, 0.4: 0.35>0.1, 0.35<0.4, 0.8>0.1, 0.8>0.4 → 3 of 4 pairs.
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
  });

  it('counts a tied pair as one half', () => {
    // Positives 0.5, 0.9, 0.2; negatives 0.5, 0.2.
    // 0.5: tie(½) + win(1); 0.9: win + win; 0.2: loss(0) + tie(½) → 4 of 6 pairs.
    expect(rocAuc([0, 1, 0, 1, 1], [0.5, 0.5, 0.2, 0.9, 0.2])).toBeCloseTo(4 / 6, 12);
  });

  it('is 1 for a perfect ranking, 0 for a reversed one and ½ when every score is equal', () => {
    expect(rocAuc([0, 0, 1, 1], [1, 2, 3, 4])).toBe(1);
    expect(rocAuc([0, 0, 1, 1], [4, 3, 2, 1])).toBe(0);
    expect(rocAuc([0, 1, 0, 1], [7, 7, 7, 7])).toBe(0.5);
  });

  it('refuses labels of a single class and mismatched lengths', () => {
    expect(() => rocAuc([1, 1], [0.2, 0.3])).toThrow(/both classes/);
    expect(() => rocAuc([0, 1], [0.2])).toThrow(/2 labels but 1 predictions/);
  });
});

describe('logLoss', () => {
  it('is the mean negative log-likelihood', () => {
    // (−ln 0.8 − ln 0.7) / 2 = (0.2231435513 + 0.3566749439) / 2
    expect(logLoss([1, 0], [0.8, 0.3])).toBeCloseTo(0.2899092476, 9);
  });

  it('clips certain but wrong predictions at machine epsilon instead of returning Infinity', () => {
    // −ln(2.220446049250313e-16) = 36.04365338911715
    expect(logLoss([1], [0])).toBeCloseTo(36.04365338911715, 9);
  });
});

describe('brierScore', () => {
  it('is the mean squared error of the probabilities', () => {
    // ((0.9−1)² + (0.2−0)² + (0.4−1)²) / 3 = (0.01 + 0.04 + 0.36) / 3
    expect(brierScore([1, 0, 1], [0.9, 0.2, 0.4])).toBeCloseTo(0.41 / 3, 12);
  });
});
