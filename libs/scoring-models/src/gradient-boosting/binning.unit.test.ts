import { binOf, binRows, findBinThresholds, MISSING_VALUE_BIN } from './binning';

describe('findBinThresholds', () => {
  it('puts thresholds midway between distinct values when there are few of them', () => {
    expect(Array.from(findBinThresholds(Float64Array.from([3, 1, 2, 2, NaN]), 255))).toEqual([1.5, 2.5]);
  });

  it('uses midpoint quantiles when there are more distinct values than bins', () => {
    // values 0..9, 4 bins: quantiles 1/4, 2/4, 3/4 sit at positions 2.25, 4.5, 6.75 of the sorted values
    // → (2+3)/2, (4+5)/2, (6+7)/2
    expect(Array.from(findBinThresholds(Float64Array.from({ length: 10 }, (_, i) => i), 4))).toEqual([2.5, 4.5, 6.5]);
  });

  it('gives no threshold to a constant feature', () => {
    expect(findBinThresholds(Float64Array.from([7, 7, 7]), 255)).toHaveLength(0);
  });

  it('refuses more bins than fit in a byte beside the missing-value bin', () => {
    expect(() => findBinThresholds(new Float64Array(3), 256)).toThrow(/maxBins/);
  });
});

describe('binOf', () => {
  const thresholds = Float64Array.from([2.5, 4.5, 6.5]);

  it('maps a value to the number of thresholds below it, a threshold itself to the lower bin', () => {
    expect([0, 2.5, 2.6, 4.5, 5, 100].map((v) => binOf(v, thresholds))).toEqual([0, 0, 1, 1, 2, 3]);
  });

  it('maps a missing value to the reserved bin', () => {
    expect(binOf(NaN, thresholds)).toBe(MISSING_VALUE_BIN);
  });

  it('bins selected rows of a matrix row-major', () => {
    const matrix = { featureNames: ['a', 'b'], rowCount: 3, values: Float64Array.from([1, 10, 3, NaN, 5, 30]) };
    const binned = binRows(matrix, [2, 0], [Float64Array.from([2, 4]), Float64Array.from([20])]);
    expect(Array.from(binned)).toEqual([2, 1, 0, 0]);
  });
});
