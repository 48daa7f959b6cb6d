/** A monotonic clock in milliseconds (performance.now in production); injected so the domain code reads no clock. */
export type MillisecondClock = () => number;

export interface TargetCheck {
  readonly description: string;
  readonly metric: string;
  readonly model: string;
  readonly required: number;
  readonly achieved: number;
  readonly met: boolean;
}

export interface CandidateScore {
  readonly candidate: string;
  readonly description: string;
  readonly meanScore: number;
  readonly foldScores: readonly number[];
}

export function checkTarget(description: string, metric: string, model: string, required: number, achieved: number): TargetCheck {
  return { description, metric, model, required, achieved, met: achieved >= required };
}

/** Runs `work` and reports how long it took by the injected clock. */
export function timed<T>(clock: MillisecondClock, work: () => T): { result: T; milliseconds: number } {
  const started = clock();
  const result = work();
  return { result, milliseconds: clock() - started };
}

/** How the evaluation command names a target's outcome. */
export function targetVerdict(target: TargetCheck): 'target met' | 'target missed' {
  return target.met ? 'target met' : 'target missed';
}

/**
 * The evaluation command's exit code once it ran: 0, a missed target included (it is printed),
 * unless `strict` asks a missed target to fail the run with 1.
 */
export function evaluationExitCode(targets: readonly TargetCheck[], strict: boolean): 0 | 1 {
  return strict && targets.some((target) => !target.met) ? 1 : 0;
}
