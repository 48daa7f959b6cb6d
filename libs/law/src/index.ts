export * from './money';
export * from './calendar-date';
export * from './german-base-rates';
export * from './default-interest';
export * from './country-law';
