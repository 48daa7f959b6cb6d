import 'reflect-metadata';
import { loadServiceConfig, startService } from '@dunning/platform';
import { InvoicingModule } from './invoicing.module';

async function main(): Promise<void> {
  const config = loadServiceConfig('invoicing');
  await startService(InvoicingModule.forRoot(config), config);
}

main().catch((error: unknown) => {
  console.error('invoicing failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
