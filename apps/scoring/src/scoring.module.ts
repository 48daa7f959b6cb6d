import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, type ServiceConfig } from '@dunning/platform';
import { migrations } from './migrations';

@Module({})
export class ScoringModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return { module: ScoringModule, imports: [PlatformModule.forRoot({ config, migrations })] };
  }
}
