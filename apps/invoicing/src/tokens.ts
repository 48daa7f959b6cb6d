/** Injection tokens of the invoicing service. */
export const INVOICING_CONFIG = Symbol('INVOICING_CONFIG');
export const CLOCK = Symbol('CLOCK');
export const PG_POOL = Symbol('PG_POOL');
