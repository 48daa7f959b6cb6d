import { binOf, binRows, findBinThresholds, findExactBins, largestDoubleBelowFloat32 } from './binning';

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

  it('refuses more bins than fit in 16 bits beside the missing-value bin', () => {
    expect(() => findBinThresholds(new Float64Array(3), 65_535)).toThrow(/maxBins/);
  });
});

describe('binOf', () => {
  const thresholds = Float64Array.from([2.5, 4.5, 6.5]);

  it('maps a value to the number of thresholds below it, a threshold itself to the lower bin', () => {
    expect([0, 2.5, 2.6, 4.5, 5, 100].map((v) => binOf(v, thresholds))).toEqual([0, 0, 1, 1, 2, 3]);
  });

  it('maps a missing value to the bin after the non-missing ones', () => {
    expect(binOf(NaN, thresholds)).toBe(4);
  });

  it('bins selected rows of a matrix row-major', () => {
    const matrix = { featureNames: ['a', 'b'], rowCount: 3, values: Float64Array.from([1, 10, 3, NaN, 5, 30]) };
    const binned = binRows(matrix, [2, 0], [Float64Array.from([2, 4]), Float64Array.from([20])]);
    expect(Array.from(binned)).toEqual([2, 1, 0, 0]);
  });
});

describe('findExactBins (XGBoost exact greedy)', () => {
  it('keeps one bin per distinct value however many there are', () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => i);
    expect(findExactBins(values).thresholds).toHaveLength(999);
  });

  it('sends a value the way XGBoost does: left when float32(x) < float32 midpoint', () => {
    // 0.1 and 0.3 in float32; XGBoost's split value is their float32 midpoint, and 0.2 as float32 equals it.
    const { thresholds } = findExactBins(Float64Array.from([0.1, 0.3]));
    const splitValue = Math.fround(Math.fround(Math.fround(0.1) + Math.fround(0.3)) * 0.5);
    const xgboostGoesLeft = (x: number) => Math.fround(x) < splitValue;
    for (const x of [0.1, 0.19999, 0.2, Math.fround(0.2), splitValue, 0.20000001, 0.3]) {
      expect(x <= thresholds[0]!).toBe(xgboostGoesLeft(x));
    }
  });

  it('treats values equal in float32 as one value, as XGBoost sees them', () => {
    expect(Array.from(findExactBins(Float64Array.from([2, 1, 1 + 1e-12])).values)).toEqual([1, 2]);
  });
});

describe('largestDoubleBelowFloat32', () => {
  it('is the last double that float32 rounds below the given float32 value', () => {
    for (const f of [1, 0.5, 3.25, 142.44, -7.5, Math.fround(0.1)].map(Math.fround)) {
      const x = largestDoubleBelowFloat32(f);
      expect(Math.fround(x)).toBeLessThan(f);
      // The next double up already rounds to f.
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, x);
      view.setBigInt64(0, view.getBigInt64(0) + (x > 0 ? 1n : -1n));
      expect(Math.fround(view.getFloat64(0))).toBe(f);
    }
  });
});
