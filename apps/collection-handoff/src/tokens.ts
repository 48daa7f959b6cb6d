export const PG_POOL = Symbol('PG_POOL');
export const COLLECTION_CONFIG = Symbol('COLLECTION_CONFIG');
export const CLOCK = Symbol('CLOCK');
export const AGENCY_CALLBACK_TOKENS = Symbol('AGENCY_CALLBACK_TOKENS');
export const AGENCY_GATEWAYS = Symbol('AGENCY_GATEWAYS');
