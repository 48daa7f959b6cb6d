import { lagOf } from './consumer-lag';

describe('lagOf', () => {
  const p = (partition: number, low: bigint, high: bigint) => ({ topic: 't', partition, low, high });

  it('is high watermark minus the next offset to handle, summed over partitions', () => {
    expect(lagOf([p(0, 0n, 10n), p(1, 0n, 5n)], new Map([['t:0', 6n], ['t:1', 4n]]))).toBe(3);
  });

  it('counts a partition never handled (or stored as -1) from its low watermark', () => {
    expect(lagOf([p(0, 2n, 10n)], new Map())).toBe(8);
    expect(lagOf([p(0, 2n, 10n)], new Map([['t:0', -1n]]))).toBe(8);
  });

  it('is 0 when everything is handled, and never negative after retention moved the low watermark', () => {
    expect(lagOf([p(0, 0n, 10n)], new Map([['t:0', 9n]]))).toBe(0);
    expect(lagOf([p(0, 0n, 0n)], new Map())).toBe(0);
    expect(lagOf([p(0, 50n, 60n)], new Map([['t:0', 10n]]))).toBe(10);
  });
});
