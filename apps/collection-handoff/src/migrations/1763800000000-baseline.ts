import { serviceOwnerMigration } from '@dunning/platform';

export const Baseline1763800000000 = serviceOwnerMigration('collection-handoff');
