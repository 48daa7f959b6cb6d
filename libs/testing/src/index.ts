export * from './wait-for';
export * from './kafka-helpers';
export * from './free-port';
