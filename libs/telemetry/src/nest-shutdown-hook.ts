import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { shutdownTelemetry } from './bootstrap';

/**
 * Add to a module's providers (with `app.enableShutdownHooks()`) so that spans and metrics are
 * flushed when Nest shuts down. A process-wide signal handler is avoided on purpose: a second
 * SIGTERM listener would stop Nest's own handler from ending the process.
 */
@Injectable()
export class TelemetryShutdownHook implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await shutdownTelemetry();
  }
}
