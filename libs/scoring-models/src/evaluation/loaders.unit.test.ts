import { CREDIT_DEFAULT_FEATURES, isCreditDefaultTestRow, loadCreditDefaultSplit } from './credit-default';
import { parseCsv } from './csv';
import { CREDIT_DEFAULT_SOURCE, HILLSTROM_SOURCE, missingDataFileMessage } from './data-sources';
import { HILLSTROM_FEATURES, loadHillstromSplit, treatmentFlags } from './hillstrom';

describe('loadCreditDefaultSplit', () => {
  const header = ['ID', ...Array.from({ length: 23 }, (_, i) => `X${i + 1}`), 'Y'];
  // X1 = 1000·ID, every other column = ID, Y = ID % 2
  const csv = [header.join(','), ...Array.from({ length: 20 }, (_, r) => [r + 1, (r + 1) * 1000, ...Array.from({ length: 22 }, () => r + 1), (r + 1) % 2].join(','))].join('\n');

  it('tests on IDs whose last digit is 0, 1 or 2 and trains on the rest', () => {
    const split = loadCreditDefaultSplit(parseCsv(csv));
    const ids = (rows: Float64Array) => Array.from({ length: rows.length / CREDIT_DEFAULT_FEATURES.length }, (_, r) => rows[r * CREDIT_DEFAULT_FEATURES.length]! / 1000);
    expect(ids(split.test.features.values)).toEqual([1, 2, 10, 11, 12, 20]);
    expect(ids(split.training.features.values)).toEqual([3, 4, 5, 6, 7, 8, 9, 13, 14, 15, 16, 17, 18, 19]);
    expect(Array.from(split.test.labels)).toEqual([1, 0, 0, 1, 0, 0]);
    expect([0, 1, 2, 3, 9, 10, 29_992].map(isCreditDefaultTestRow)).toEqual([true, true, true, false, false, true, true]);
  });
});

describe('loadHillstromSplit', () => {
  const header = 'recency,history_segment,history,mens,womens,zip_code,newbie,channel,segment,visit,conversion,spend';
  const segments = ['Womens E-Mail', 'No E-Mail', 'Mens E-Mail'];
  const zips = ['Surburban', 'Rural', 'Urban'];
  const channels = ['Phone', 'Web', 'Multichannel'];
  // recency = original row index, so each kept row can be traced back
  const csv = [header, ...Array.from({ length: 24 }, (_, i) => `${i},"2) $100 - $200",${100 + i}.5,1,${i % 2},${zips[i % 3]},${i % 2},${channels[(i + 1) % 3]},${segments[i % 3]},${i % 4 === 0 ? 1 : 0},0,0`)].join('\n');
  const split = loadHillstromSplit(parseCsv(csv));
  const originalIndices = (rowCount: number, values: Float64Array) => Array.from({ length: rowCount }, (_, r) => values[r * HILLSTROM_FEATURES.length]!);

  it('drops Mens E-Mail rows but splits by the index in the original file', () => {
    // kept: indices not ≡ 2 (mod 3); test: index % 10 in {0, 1, 2}
    expect(originalIndices(split.test.features.rowCount, split.test.features.values)).toEqual([0, 1, 10, 12, 21, 22]);
    expect(originalIndices(split.training.features.rowCount, split.training.features.values)).toEqual([3, 4, 6, 7, 9, 13, 15, 16, 18, 19]);
    expect(split.test.arms).toEqual(['Womens E-Mail', 'No E-Mail', 'No E-Mail', 'Womens E-Mail', 'Womens E-Mail', 'No E-Mail']);
    expect(Array.from(treatmentFlags(split.test, 'Womens E-Mail'))).toEqual([1, 0, 0, 1, 1, 0]);
    expect(Array.from(split.test.outcomes)).toEqual([1, 0, 0, 1, 0, 0]);
  });

  it('one-hot encodes zip code and channel and leaves history_segment out', () => {
    expect(HILLSTROM_FEATURES).not.toContain('history_segment');
    const row1 = Array.from(split.test.features.values.subarray(HILLSTROM_FEATURES.length, 2 * HILLSTROM_FEATURES.length));
    // index 1: recency 1, history 101.5, mens 1, womens 1, newbie 1, zip Rural, channel Multichannel
    expect(Object.fromEntries(HILLSTROM_FEATURES.map((name, f) => [name, row1[f]]))).toEqual({
      recency: 1,
      history: 101.5,
      mens: 1,
      womens: 1,
      newbie: 1,
      'zip_code=Surburban': 0,
      'zip_code=Rural': 1,
      'zip_code=Urban': 0,
      'channel=Phone': 0,
      'channel=Web': 0,
      'channel=Multichannel': 1,
    });
  });
});

describe('missingDataFileMessage', () => {
  it('names the file, what it is and where it comes from', () => {
    const message = missingDataFileMessage(CREDIT_DEFAULT_SOURCE, '/nowhere/uci-credit-card-default.csv');
    expect(message).toContain('/nowhere/uci-credit-card-default.csv');
    expect(message).toContain('UCI Machine Learning Repository');
    expect(message).toContain('CC BY 4.0');
    expect(message).toContain('--credit PATH or CREDIT_DEFAULT_CSV=PATH');
    expect(missingDataFileMessage(HILLSTROM_SOURCE, 'x.csv')).toContain('Kevin Hillstrom, MineThatData');
  });
});
