import 'reflect-metadata';
import { loadServiceConfig, startService } from '@dunning/platform';
import { NotifierModule } from './notifier.module';

async function main(): Promise<void> {
  const config = loadServiceConfig('notifier');
  await startService(NotifierModule.forRoot(config), config);
}

main().catch((error: unknown) => {
  console.error('notifier failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
