import { DynamicModule, Module } from '@nestjs/common';
import { createSimulatedTimeController, DeferredClock, PlatformModule, readClockConfig, type ClockConfig, type ServiceConfig } from '@dunning/platform';
import { migrations } from './migrations';
import { ModelsController } from './model-registry/models.controller';
import { randomIds, SCORING_CLOCK, SCORING_ID_SOURCE, SCORING_SETTINGS, ScoringRuntime, systemClock, type Clock, type IdSource } from './scoring-runtime';
import { loadScoringSettings, type ScoringSettings } from './scoring-settings';
import { ScoresController } from './serving/scores.controller';
import { simulatedTimeProviders } from './simulated-time/providers';

export interface ScoringModuleOverrides {
  readonly settings?: ScoringSettings;
  readonly clock?: Clock;
  readonly newId?: IdSource;
  /** Default: DUNNING_CLOCK / DUNNING_CLOCK_START from the environment. Ignored when `clock` is given. */
  readonly clockConfig?: ClockConfig;
}

@Module({})
export class ScoringModule {
  static forRoot(config: ServiceConfig, overrides: ScoringModuleOverrides = {}): DynamicModule {
    const clockConfig = overrides.clockConfig ?? readClockConfig();
    const simulated = overrides.clock === undefined && clockConfig.mode === 'simulated';
    // A simulated clock is loaded once the migrations ran; until then the providers hold a DeferredClock.
    const deferred = simulated ? new DeferredClock() : undefined;
    const clock: Clock = overrides.clock ?? (deferred ? () => deferred.now() : systemClock);
    const baseSettings = overrides.settings ?? loadScoringSettings();
    // On a simulated clock the overdue scan must not wait 30 s of real time for what a clock move made due.
    const settings = simulated ? { ...baseSettings, overdueScanIntervalMs: baseSettings.simulatedOverdueScanIntervalMs } : baseSettings;
    return {
      module: ScoringModule,
      imports: [PlatformModule.forRoot({ config, migrations })],
      controllers: [ScoresController, ModelsController, createSimulatedTimeController()],
      providers: [
        { provide: SCORING_SETTINGS, useValue: settings },
        { provide: SCORING_CLOCK, useValue: clock },
        { provide: SCORING_ID_SOURCE, useValue: overrides.newId ?? randomIds },
        ScoringRuntime,
        ...simulatedTimeProviders(settings, clockConfig, deferred, overrides.clock),
      ],
      exports: [ScoringRuntime],
    };
  }
}
