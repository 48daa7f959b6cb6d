import type { SimulatorConfig } from '../domain/config';
import { Simulation } from '../domain/simulation';
import { runSimulation, type RunOutcome, type RunProgress } from '../run/run-simulation';
import { InMemoryPlatform } from './in-memory-platform';
import { REFERENCE_FLOWS } from './reference-dunning';

export interface StandaloneOptions {
  readonly onProgress?: (progress: RunProgress) => void;
  /** Round-trip every event through the contract codec (slower; on in tests). */
  readonly checkContract?: boolean;
}

/** The standalone mode: the customer base against the reference dunning, in memory, in seconds. */
export async function runStandalone(config: SimulatorConfig, options: StandaloneOptions = {}): Promise<{ simulation: Simulation; outcome: RunOutcome }> {
  const simulation = new Simulation(config);
  const platform = new InMemoryPlatform({ dunning: config.referenceDunning, timeZone: 'Europe/Stockholm', checkContract: options.checkContract ?? false });
  try {
    const outcome = await runSimulation(simulation, platform, options.onProgress ? { onProgress: options.onProgress } : {});
    return { simulation, outcome };
  } finally {
    await platform.close();
  }
}

/** The control arm's steps, to mark on the paid-by-day plot. */
export function controlArmMarkers(config: SimulatorConfig): Array<{ x: number; label: string }> {
  const control = config.referenceDunning.arms.find((arm) => arm.role === 'collection') ?? config.referenceDunning.arms[0];
  return (REFERENCE_FLOWS[control?.id ?? ''] ?? []).flatMap((step) => ('daysFromDue' in step.at ? [{ x: step.at.daysFromDue, label: `${step.id} (${control?.label ?? 'control'})` }] : []));
}
