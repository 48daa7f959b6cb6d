import { createHash } from 'node:crypto';

// Ids derived from the orchestrator's actionId: a redelivered or replayed request names the same
// case and the same hand-off, so nothing downstream (our tables, the agency's idempotency keys) can
// tell it apart from the first.

const digest = (purpose: string, actionId: string): string => createHash('sha256').update(`${purpose}\u0000${actionId}`).digest('hex').slice(0, 32);

export const collectionCaseIdFor = (actionId: string): string => `cc-${digest('collection-case', actionId)}`;
export const handoffIdFor = (actionId: string): string => `ho-${digest('handoff', actionId)}`;
