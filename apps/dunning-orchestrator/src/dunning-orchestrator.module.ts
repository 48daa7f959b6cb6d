import { DynamicModule, Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { createSimulatedTimeController, PlatformModule, SIMULATION_CONTROL, type ServiceConfig } from '@dunning/platform';
import type { OrchestratorConfig } from './config/orchestrator-config';
import { migrations } from './migrations';
import { OperationsPageController, operationsQueryProvider } from './operations-page/operations-page.controller';
import { ExperimentsController, ORCHESTRATOR_RUNTIME, TimersController } from './runtime/orchestrator.controller';
import { OrchestratorRuntime } from './runtime/orchestrator-runtime';

/** Starts the consumer, timers and relay once migrations ran (bootstrap), stops them at shutdown. */
class RuntimeLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(ORCHESTRATOR_RUNTIME) private readonly runtime: OrchestratorRuntime) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}

@Module({})
export class DunningOrchestratorModule {
  static forRoot(config: ServiceConfig, orchestrator: OrchestratorConfig): DynamicModule {
    return {
      module: DunningOrchestratorModule,
      imports: [PlatformModule.forRoot({ config, migrations })],
      controllers: [ExperimentsController, createSimulatedTimeController(), TimersController, OperationsPageController],
      providers: [
        { provide: ORCHESTRATOR_RUNTIME, useFactory: () => new OrchestratorRuntime(config, orchestrator) },
        // After the data source, i.e. after the migrations that create simulated_clock.
        { provide: SIMULATION_CONTROL, useFactory: (runtime: OrchestratorRuntime) => runtime.loadControl(), inject: [ORCHESTRATOR_RUNTIME, getDataSourceToken()] },
        RuntimeLifecycle,
        operationsQueryProvider,
      ],
    };
  }
}
