export * from './wait-for';
export * from './kafka-helpers';
