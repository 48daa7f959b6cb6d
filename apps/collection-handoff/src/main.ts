import 'reflect-metadata';
import { startService } from '@dunning/platform';
import { CollectionHandoffModule } from './collection-handoff.module';
import { loadCollectionConfig } from './config';

async function main(): Promise<void> {
  const config = loadCollectionConfig();
  await startService(CollectionHandoffModule.forRoot(config), config.service);
}

main().catch((error: unknown) => {
  console.error('collection-handoff failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
