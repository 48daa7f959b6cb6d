import { compareLogPositions, formatLogPosition, LOG_START, parseLogPosition } from './log-position';

describe('LogPosition', () => {
  it('orders by transaction id first, then by global position', () => {
    const early = { transactionId: 100n, globalPosition: 9n };
    const late = { transactionId: 101n, globalPosition: 3n };
    expect(compareLogPositions(early, late)).toBe(-1);
    expect(compareLogPositions(late, early)).toBe(1);
    expect(compareLogPositions(early, { transactionId: 100n, globalPosition: 10n })).toBe(-1);
    expect(compareLogPositions(early, { ...early })).toBe(0);
    expect(compareLogPositions(LOG_START, early)).toBe(-1);
  });

  it('round-trips through text beyond 2^53', () => {
    const big = { transactionId: 2n ** 60n + 7n, globalPosition: 2n ** 55n + 1n };
    expect(formatLogPosition(big)).toBe('1152921504606846983/36028797018963969');
    expect(parseLogPosition(formatLogPosition(big))).toEqual(big);
    expect(parseLogPosition('0/0')).toEqual(LOG_START);
  });

  it('rejects text that is not a position', () => {
    for (const bad of ['', '12', '1/2/3', '-1/2', 'a/b', '1/ 2']) expect(() => parseLogPosition(bad)).toThrow(/Not a log position/);
  });
});
