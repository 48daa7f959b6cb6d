export * from './clock';
export * from './clock-config';
export * from './migration';
export * from './simulation-control';
export * from './simulated-time.controller';
