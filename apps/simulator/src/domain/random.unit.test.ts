import { Dice, PURPOSE, RandomStream, hashWords, pickWeighted } from './random';

describe('keyed dice', () => {
  it('the same key gives the same number; a different key, seed or purpose another', () => {
    const dice = new Dice(42);
    expect(dice.uniform(PURPOSE.payToday, 1, 2, 3)).toBe(new Dice(42).uniform(PURPOSE.payToday, 1, 2, 3));
    expect(dice.uniform(PURPOSE.payToday, 1, 2, 3)).not.toBe(dice.uniform(PURPOSE.payToday, 1, 2, 4));
    expect(dice.uniform(PURPOSE.payToday, 1, 2, 3)).not.toBe(new Dice(43).uniform(PURPOSE.payToday, 1, 2, 3));
    expect(dice.uniform(PURPOSE.payToday, 1, 2, 3)).not.toBe(dice.uniform(PURPOSE.churnToday, 1, 2, 3));
    expect(hashWords([1, 2])).not.toBe(hashWords([2, 1]));
  });

  it('is uniform enough: 20 buckets over 200,000 keys pass a chi-square test, and neighbouring keys do not correlate', () => {
    const dice = new Dice(7);
    const buckets = new Array<number>(20).fill(0);
    let previous = 0;
    let products = 0;
    for (let i = 0; i < 200_000; i += 1) {
      const u = dice.uniform(PURPOSE.payToday, i % 1000, Math.floor(i / 1000), 0);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      buckets[Math.floor(u * 20)]! += 1;
      products += (u - 0.5) * (previous - 0.5);
      previous = u;
    }
    const expected = 200_000 / 20;
    const chiSquare = buckets.reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(43.8); // 19 degrees of freedom, p = 0.001
    expect(Math.abs(products / 200_000 / (1 / 12))).toBeLessThan(0.02); // lag-1 autocorrelation
  });

  it('chance(p) hits about p of the time', () => {
    const dice = new Dice('seed');
    let hits = 0;
    for (let i = 0; i < 50_000; i += 1) if (dice.chance(0.3, PURPOSE.churnToday, i)) hits += 1;
    expect(hits / 50_000).toBeGreaterThan(0.29);
    expect(hits / 50_000).toBeLessThan(0.31);
  });
});

describe('xoshiro128** stream', () => {
  it('repeats for the same seed and stays in range', () => {
    const a = new RandomStream([1, 2, 3, 4]);
    const b = new RandomStream([1, 2, 3, 4]);
    for (let i = 0; i < 1000; i += 1) {
      const x = a.next();
      expect(x).toBe(b.next());
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      const n = a.integer(3, 5);
      b.integer(3, 5);
      expect([3, 4, 5]).toContain(n);
    }
  });

  it('picks by weight', () => {
    const items = [{ value: 'a', weight: 1 }, { value: 'b', weight: 3 }];
    expect(pickWeighted(items, 0.2)).toBe('a');
    expect(pickWeighted(items, 0.3)).toBe('b');
    expect(() => pickWeighted([{ value: 'x', weight: 0 }], 0.5)).toThrow('positive total weight');
  });
});
