import { DynamicModule, Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Pool } from 'pg';
import { createSimulatedTimeController, PlatformModule, readClockConfig, SIMULATION_CONTROL, SimulationControl, type ServiceConfig } from '@dunning/platform';
import { createLogger } from '@dunning/telemetry';
import { notifierMigrations } from './migrations';
import { loadNotifierConfig } from './notifier-config';
import { NotifierRuntime } from './notifier-runtime';
import { NotifierHttpController } from './http/notifier-http.controller';
import { loadTemplateCatalog } from './templates/load-templates';

class NotifierLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(NotifierRuntime) private readonly runtime: NotifierRuntime) {}
  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.start();
  }
  async onApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}

/** TypeORM's PostgreSQL driver keeps its pg Pool as `master`; the clock is read and persisted through it. */
function pgPoolOf(dataSource: DataSource): Pool {
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (!pool) throw new Error('the TypeORM data source has no pg pool (is it PostgreSQL, and initialised?)');
  return pool;
}

@Module({})
export class NotifierModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    const notifier = loadNotifierConfig(config.httpPort);
    const logger = createLogger({ service: 'notifier' });
    return {
      module: NotifierModule,
      imports: [PlatformModule.forRoot({ config, migrations: notifierMigrations(notifier.schema) })],
      controllers: [NotifierHttpController, createSimulatedTimeController()],
      providers: [
        {
          // DUNNING_CLOCK / DUNNING_CLOCK_START; the data source has run the migrations (simulated_clock) by now.
          provide: SIMULATION_CONTROL,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => SimulationControl.create(pgPoolOf(dataSource), notifier.schema, readClockConfig()),
        },
        {
          provide: NotifierRuntime,
          inject: [SIMULATION_CONTROL],
          // Only ids, codes and states are ever passed to this log (and the logger redacts on top).
          useFactory: (control: SimulationControl) =>
            new NotifierRuntime(config, notifier, loadTemplateCatalog(notifier.templatesDir), (message, fields) => logger.info(fields, message), control),
        },
        NotifierLifecycle,
      ],
    };
  }
}
