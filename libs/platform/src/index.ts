export * from './service-config';
export * from './platform.module';
export * from './bootstrap';
export * from './tokens';
export * from './health/kafka.health';
export * from './service-owner.migration';
export * from './simulated-time';
