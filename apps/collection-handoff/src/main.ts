import 'reflect-metadata';
import { loadServiceConfig, startService } from '@dunning/platform';
import { CollectionHandoffModule } from './collection-handoff.module';

async function main(): Promise<void> {
  const config = loadServiceConfig('collection-handoff');
  await startService(CollectionHandoffModule.forRoot(config), config);
}

main().catch((error: unknown) => {
  console.error('collection-handoff failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
