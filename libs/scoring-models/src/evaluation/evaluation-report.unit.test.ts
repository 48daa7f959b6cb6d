import { checkTarget, evaluationExitCode, targetVerdict, timed } from './evaluation-report';

describe('targets of the evaluation command', () => {
  const met = checkTarget('ROC AUC', 'rocAuc', 'gbdt', 0.782, 0.7834);
  const missed = checkTarget('uplift@30 %', 'upliftAt30', 't-learner', 0.086, 0.0658);
  const exactlyReached = checkTarget('uplift@30 %', 'upliftAt30', 't-learner', 0.086, 0.086);

  it('counts a target as met when the figure reaches it, the boundary included', () => {
    expect([met.met, missed.met, exactlyReached.met]).toEqual([true, false, true]);
    expect(targetVerdict(met)).toBe('target met');
    expect(targetVerdict(missed)).toBe('target missed');
  });

  it('exits 0 on a missed target unless strict, and 1 with --strict', () => {
    expect(evaluationExitCode([met, missed], false)).toBe(0);
    expect(evaluationExitCode([met, missed], true)).toBe(1);
    expect(evaluationExitCode([met, exactlyReached], true)).toBe(0);
  });

  it('times work by the injected clock', () => {
    const ticks = [10, 25];
    const { result, milliseconds } = timed(() => ticks.shift()!, () => 'done');
    expect(result).toBe('done');
    expect(milliseconds).toBe(15);
  });
});
