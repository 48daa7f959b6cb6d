import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TelemetryShutdownHook } from '@dunning/telemetry';
import type { MixedList } from 'typeorm';
import { HealthController } from './health/health.controller';
import { KafkaHealthIndicator } from './health/kafka.health';
import { SERVICE_CONFIG } from './tokens';
import type { ServiceConfig } from './service-config';

export interface PlatformModuleOptions {
  config: ServiceConfig;
  /** TypeORM migration classes, run in order at start. Schema changes never use `synchronize`. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
}

/**
 * What every service has: its configuration, its own database (migrations run at start) and
 * the health endpoints. Behaviour modules are imported next to it by each app.
 */
@Module({})
export class PlatformModule {
  static forRoot({ config, migrations }: PlatformModuleOptions): DynamicModule {
    return {
      module: PlatformModule,
      global: true,
      imports: [
        TerminusModule.forRoot({ logger: false }),
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: config.databaseUrl,
          migrations,
          migrationsRun: true,
          migrationsTransactionMode: 'each',
          synchronize: false,
          logging: ['error', 'migration'],
          applicationName: config.serviceName,
          retryAttempts: 10,
          retryDelay: 1_000,
        }),
      ],
      controllers: [HealthController],
      providers: [KafkaHealthIndicator, TelemetryShutdownHook, { provide: SERVICE_CONFIG, useValue: config }],
      exports: [SERVICE_CONFIG],
    };
  }
}
