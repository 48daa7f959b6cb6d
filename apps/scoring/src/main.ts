import 'reflect-metadata';
import { loadServiceConfig, startService } from '@dunning/platform';
import { ScoringModule } from './scoring.module';

async function main(): Promise<void> {
  const config = loadServiceConfig('scoring');
  await startService(ScoringModule.forRoot(config), config);
}

main().catch((error: unknown) => {
  console.error('scoring failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
