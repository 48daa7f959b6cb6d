import { DynamicModule, Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PlatformModule, type ServiceConfig } from '@dunning/platform';
import type { OrchestratorConfig } from './config/orchestrator-config';
import { migrations } from './migrations';
import { OperationsPageController, operationsQueryProvider } from './operations-page/operations-page.controller';
import { ClockController, ExperimentsController, ORCHESTRATOR_RUNTIME } from './runtime/orchestrator.controller';
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
      controllers: [ExperimentsController, ClockController, OperationsPageController],
      providers: [{ provide: ORCHESTRATOR_RUNTIME, useFactory: () => new OrchestratorRuntime(config, orchestrator) }, RuntimeLifecycle, operationsQueryProvider],
    };
  }
}
