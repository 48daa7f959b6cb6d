import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, type ServiceConfig } from '@dunning/platform';
import { migrations } from './migrations';

@Module({})
export class NotifierModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return { module: NotifierModule, imports: [PlatformModule.forRoot({ config, migrations })] };
  }
}
