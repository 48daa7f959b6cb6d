import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createLogger, NestRedactingLogger, startTelemetry } from '@dunning/telemetry';
import type { ServiceConfig } from './service-config';

/**
 * Creates, starts and returns a service's HTTP application. Telemetry starts before the
 * application so that meters and tracers created by its modules are the real ones, and every
 * log line goes through the redacting logger (no personal data in logs, promise 7). PlatformModule's
 * TelemetryShutdownHook flushes spans and metrics on shutdown.
 */
export async function startService(rootModule: Type<unknown> | DynamicModule, config: ServiceConfig): Promise<INestApplication> {
  startTelemetry({ serviceName: config.serviceName });
  const logger = new NestRedactingLogger(createLogger({ service: config.serviceName }));
  const app = await NestFactory.create(rootModule, { logger });
  app.enableShutdownHooks();
  await app.listen(config.httpPort, config.httpHost);
  return app;
}
