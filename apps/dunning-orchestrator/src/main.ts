import 'reflect-metadata';
import { loadServiceConfig, startService } from '@dunning/platform';
import { loadOrchestratorConfig } from './config/orchestrator-config';
import { DunningOrchestratorModule } from './dunning-orchestrator.module';

async function main(): Promise<void> {
  const config = loadServiceConfig('dunning-orchestrator');
  await startService(DunningOrchestratorModule.forRoot(config, loadOrchestratorConfig()), config);
}

main().catch((error: unknown) => {
  console.error('dunning-orchestrator failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
