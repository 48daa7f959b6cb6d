import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, type ServiceConfig } from '@dunning/platform';
import { migrations } from './migrations';
import { ModelsController } from './model-registry/models.controller';
import { randomIds, SCORING_CLOCK, SCORING_ID_SOURCE, SCORING_SETTINGS, ScoringRuntime, systemClock, type Clock, type IdSource } from './scoring-runtime';
import { loadScoringSettings, type ScoringSettings } from './scoring-settings';
import { ScoresController } from './serving/scores.controller';

export interface ScoringModuleOverrides {
  readonly settings?: ScoringSettings;
  readonly clock?: Clock;
  readonly newId?: IdSource;
}

@Module({})
export class ScoringModule {
  static forRoot(config: ServiceConfig, overrides: ScoringModuleOverrides = {}): DynamicModule {
    return {
      module: ScoringModule,
      imports: [PlatformModule.forRoot({ config, migrations })],
      controllers: [ScoresController, ModelsController],
      providers: [
        { provide: SCORING_SETTINGS, useValue: overrides.settings ?? loadScoringSettings() },
        { provide: SCORING_CLOCK, useValue: overrides.clock ?? systemClock },
        { provide: SCORING_ID_SOURCE, useValue: overrides.newId ?? randomIds },
        ScoringRuntime,
      ],
      exports: [ScoringRuntime],
    };
  }
}
