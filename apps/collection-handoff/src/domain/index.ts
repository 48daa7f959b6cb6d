export type { InterestCalculation, InterestSegment, Money } from '@dunning/law';
export * from './calendar';
export * from './invoice-view';
export * from './pre-handoff-check';
export * from './law/country-rules';
export * from './claim';
export * from './collection-case';
export * from './handoff-plan';
export * from './reconciliation';
