// Randomness that makes runs repeatable, without a shared sequence.
//
// Every draw is a pure function of (seed, purpose, the customer, the invoice, the day): a
// counter-based generator in the style of Random123 (Salmon et al., "Parallel random numbers: as
// easy as 1, 2, 3", SC'11), built here from the MurmurHash3 finaliser. Two properties follow that a
// single sequential stream would not give:
//   - a customer's draws do not depend on what other customers did, so one customer seeing an extra
//     message (a different policy, a message that arrived a day later) changes that customer only;
//   - the same customer gets the same dice under every policy (common random numbers), so two runs
//     that differ only in the policy differ only where the policy made a difference.
// `RandomStream` (xoshiro128**) is a classic sequential generator for building the customer base,
// seeded per customer from the same hash.

// A module-level reference: inside a vm context (Jest) every lookup of the global `Math` goes through
// the context's interceptors, which made the hash 100 times slower there.
const imul = Math.imul;
const floor = Math.floor;

/** MurmurHash3's 32-bit finaliser: a bijection on 32-bit integers with full avalanche. */
export function fmix32(input: number): number {
  let h = input >>> 0;
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a list of 32-bit words into one (order matters). */
export function hashWords(words: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const word of words) {
    h = fmix32(h ^ fmix32((word | 0) + 0x632be5ab));
    h = (imul(h, 5) + 0xe6546b64) >>> 0;
  }
  return fmix32(h ^ words.length);
}

/** A string as a 32-bit word (FNV-1a), for seeds and purposes given as text. */
export function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = imul(h, 0x01000193);
  }
  return fmix32(h);
}

const TWO_POW_32 = 4294967296;

/**
 * Keyed dice: `uniform(purpose, a, b, c)` is the same number every time it is asked with the same
 * key, in [0, 1) with 53 bits of resolution.
 */
export class Dice {
  private readonly seedWord: number;

  constructor(seed: number | string) {
    this.seedWord = typeof seed === 'number' ? fmix32(seed >>> 0) ^ fmix32(floor(seed / TWO_POW_32)) : hashText(seed);
  }

  uniform(purpose: Purpose, a = 0, b = 0, c = 0): number {
    const high = hashWords([this.seedWord, purpose, a, b, c]);
    const low = hashWords([this.seedWord ^ 0x5bd1e995, purpose, a, b, c]);
    return ((high >>> 5) * 67108864 + (low >>> 6)) / 9007199254740992;
  }

  /** True with probability `p`. */
  chance(p: number, purpose: Purpose, a = 0, b = 0, c = 0): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.uniform(purpose, a, b, c) < p;
  }

  /** A sequential generator for one key, e.g. one customer's attributes. */
  stream(purpose: Purpose, a = 0, b = 0): RandomStream {
    return new RandomStream([this.seedWord, hashWords([purpose, a, b, 1]), hashWords([purpose, a, b, 2]), hashWords([purpose, a, b, 3])]);
  }
}

/** xoshiro128** (Blackman & Vigna), 32-bit state words. */
export class RandomStream {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seedWords: readonly [number, number, number, number]) {
    // splitmix-style spreading so that similar seeds start far apart, and never an all-zero state.
    this.s0 = fmix32(seedWords[0] + 0x9e3779b9);
    this.s1 = fmix32(seedWords[1] + 0x3c6ef372);
    this.s2 = fmix32(seedWords[2] + 0xdaa66d2b);
    this.s3 = fmix32(seedWords[3] + 0x78dde6e4) | 1;
  }

  nextUint32(): number {
    const result = imul(rotl(imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1), 53 bits. */
  next(): number {
    return ((this.nextUint32() >>> 5) * 67108864 + (this.nextUint32() >>> 6)) / 9007199254740992;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** An integer in [min, max], both inclusive. */
  integer(min: number, max: number): number {
    return min + floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[floor(this.next() * items.length)] as T;
  }

  /** One of `items` with probability proportional to its weight. */
  weighted<T>(items: readonly Weighted<T>[]): T {
    return pickWeighted(items, this.next());
  }
}

export interface Weighted<T> {
  readonly value: T;
  readonly weight: number;
}

/** Maps a uniform number `u` in [0, 1) onto weighted items. */
export function pickWeighted<T>(items: readonly Weighted<T>[], u: number): T {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  if (!(total > 0)) throw new Error('weighted pick needs a positive total weight');
  let threshold = u * total;
  for (const item of items) {
    threshold -= item.weight;
    if (threshold < 0) return item.value;
  }
  return (items[items.length - 1] as Weighted<T>).value;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Purposes keep the dice of different decisions apart. Append new ones at the end: renumbering
 * changes every run's outcome for a given seed.
 */
export const PURPOSE = {
  customer: 1,
  invoicePlan: 2,
  payToday: 3,
  partialPayment: 4,
  paymentTime: 5,
  noticeMessage: 6,
  churnToday: 7,
  churnTime: 8,
  dispute: 9,
  disputeResolution: 10,
  credit: 11,
  paymentPlan: 12,
  installment: 13,
  customerUpdate: 14,
  affordThisPayday: 15,
  invoiceAmount: 16,
  paymentMethod: 17,
  referenceOnlyPayment: 18,
  eventTime: 19,
} as const;
export type Purpose = (typeof PURPOSE)[keyof typeof PURPOSE];
