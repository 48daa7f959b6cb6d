export * from './attributes';
export * from './attribute-guard';
export * from './bootstrap';
export * from './logger';
export * from './nest-shutdown-hook';
export * from './personal-data';
export * from './trace-context';
