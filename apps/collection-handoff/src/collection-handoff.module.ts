import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, type ServiceConfig } from '@dunning/platform';
import { collectionMigrations } from './migrations';

@Module({})
export class CollectionHandoffModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return { module: CollectionHandoffModule, imports: [PlatformModule.forRoot({ config, migrations: collectionMigrations('collection') })] };
  }
}
