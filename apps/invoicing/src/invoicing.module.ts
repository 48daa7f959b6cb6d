import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, type ServiceConfig } from '@dunning/platform';
import { migrations } from './migrations';

@Module({})
export class InvoicingModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return { module: InvoicingModule, imports: [PlatformModule.forRoot({ config, migrations })] };
  }
}
