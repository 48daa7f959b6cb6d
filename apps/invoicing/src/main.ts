import 'reflect-metadata';
import { createLogger, NestRedactingLogger, startTelemetry } from '@dunning/telemetry';
import { createInvoicingApp } from './app';
import { loadInvoicingConfig } from './config';

async function main(): Promise<void> {
  const config = loadInvoicingConfig();
  startTelemetry({ serviceName: config.service.serviceName });
  const logger = new NestRedactingLogger(createLogger({ service: config.service.serviceName }));
  if (config.apiKeys.length === 0) logger.warn('INVOICING_API_KEYS is not set: every API route answers 401 until keys are configured', 'invoicing');
  if (!config.personalDataKek) logger.warn('INVOICING_PERSONAL_DATA_KEK is not set: customer keys are stored unwrapped', 'invoicing');
  const app = await createInvoicingApp(config, { logger });
  await app.listen(config.service.httpPort, config.service.httpHost);
}

main().catch((error: unknown) => {
  console.error('invoicing failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
