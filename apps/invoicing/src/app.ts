import type { LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Clock } from './clock';
import type { InvoicingConfig } from './config';
import { InvoicingModule } from './invoicing.module';
import { setupOpenApi } from './openapi';

export interface CreateAppOptions {
  readonly clock?: Clock;
  readonly logger?: LoggerService | LogLevel[] | false;
}

/**
 * The invoicing application, not yet listening: main.ts and the integration tests build it the
 * same way. Bodies are read as text and parsed by the ingestion use case, so that malformed JSON
 * gets the same precise reason as on Kafka instead of the framework's generic 400.
 */
export async function createInvoicingApp(config: InvoicingConfig, options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(InvoicingModule.forRoot(config, options.clock ? { clock: options.clock } : {}), {
    bodyParser: false,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  app.useBodyParser('text', { type: () => true, limit: '1mb' });
  app.enableShutdownHooks();
  setupOpenApi(app);
  return app;
}
