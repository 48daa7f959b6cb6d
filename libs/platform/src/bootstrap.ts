import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ServiceConfig } from './service-config';

/** Creates, starts and returns a service's HTTP application; shutdown hooks close Kafka and the database. */
export async function startService(rootModule: Type<unknown> | DynamicModule, config: ServiceConfig): Promise<INestApplication> {
  const app = await NestFactory.create(rootModule, { bufferLogs: false });
  app.enableShutdownHooks();
  await app.listen(config.httpPort, config.httpHost);
  return app;
}
