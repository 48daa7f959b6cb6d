import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, type ServiceConfig } from '@dunning/platform';
import { migrations } from './migrations';

@Module({})
export class DunningOrchestratorModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return { module: DunningOrchestratorModule, imports: [PlatformModule.forRoot({ config, migrations })] };
  }
}
