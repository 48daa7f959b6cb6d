import { DynamicModule, Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PlatformModule, type ServiceConfig } from '@dunning/platform';
import { createLogger } from '@dunning/telemetry';
import { notifierMigrations } from './migrations';
import { loadNotifierConfig } from './notifier-config';
import { NotifierRuntime } from './notifier-runtime';
import { NotifierHttpController } from './http/notifier-http.controller';
import { loadTemplateCatalog } from './templates/load-templates';

class NotifierLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(NotifierRuntime) private readonly runtime: NotifierRuntime) {}
  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.start();
  }
  async onApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}

@Module({})
export class NotifierModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    const notifier = loadNotifierConfig(config.httpPort);
    const logger = createLogger({ service: 'notifier' });
    return {
      module: NotifierModule,
      imports: [PlatformModule.forRoot({ config, migrations: notifierMigrations(notifier.schema) })],
      controllers: [NotifierHttpController],
      providers: [
        {
          provide: NotifierRuntime,
          // Only ids, codes and states are ever passed to this log (and the logger redacts on top).
          useFactory: () => new NotifierRuntime(config, notifier, loadTemplateCatalog(notifier.templatesDir), (message, fields) => logger.info(fields, message)),
        },
        NotifierLifecycle,
      ],
    };
  }
}
