export * from './wait-for';
export * from './kafka-helpers';
export * from './free-port';
export * from './postgres-databases';
