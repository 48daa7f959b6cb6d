import { InvalidInstantError } from './clock';

export type ClockMode = 'system' | 'simulated';

export interface ClockConfig {
  readonly mode: ClockMode;
  /** Where a simulated clock starts when none was persisted yet; later starts keep the persisted instant. */
  readonly start: Date;
}

export interface ClockConfigOptions {
  /** Older names of DUNNING_CLOCK still accepted (e.g. ORCHESTRATOR_CLOCK); DUNNING_CLOCK wins when both are set. */
  readonly modeAliases?: readonly string[];
  /** Older names of DUNNING_CLOCK_START. */
  readonly startAliases?: readonly string[];
  /** The start when none is configured (default: the moment of reading). */
  readonly defaultStart?: () => Date;
}

function firstSet(env: NodeJS.ProcessEnv, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/**
 * Reads DUNNING_CLOCK=system|simulated (default system) and DUNNING_CLOCK_START=<ISO instant>.
 * Throws on an unknown mode or an unreadable start, so a misconfigured service fails at start.
 */
export function readClockConfig(env: NodeJS.ProcessEnv = process.env, options: ClockConfigOptions = {}): ClockConfig {
  const mode = firstSet(env, ['DUNNING_CLOCK', ...(options.modeAliases ?? [])]);
  if (mode && mode.value !== 'system' && mode.value !== 'simulated') throw new Error(`${mode.name} must be system or simulated, got ${JSON.stringify(mode.value)}`);
  const start = firstSet(env, ['DUNNING_CLOCK_START', ...(options.startAliases ?? [])]);
  let startAt = options.defaultStart?.() ?? new Date();
  if (start) {
    startAt = parseInstant(start.value);
  }
  return { mode: (mode?.value as ClockMode | undefined) ?? 'system', start: startAt };
}

/** A strict ISO 8601 instant (date and time, with Z or an offset); throws InvalidInstantError otherwise. */
export function parseInstant(raw: unknown): Date {
  if (typeof raw !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/.test(raw.trim())) throw new InvalidInstantError(raw);
  const at = new Date(raw.trim());
  if (Number.isNaN(at.getTime())) throw new InvalidInstantError(raw);
  return at;
}
