import type { SqlClient } from '@dunning/event-store';
import type { ModelBundle } from '../domain';
import { loadBundle, roleVersions } from '../persistence/model-registry';

/**
 * The champion (which scores) and the challenger (scored in the shadow, stored, never published),
 * held in memory so that a score costs no database round trip for the model. Refreshed after a
 * training run and on a timer, so every instance serves what the registry says.
 */
export class ModelServing {
  private current: { champion?: ModelBundle; challenger?: ModelBundle } = {};

  get champion(): ModelBundle | undefined {
    return this.current.champion;
  }

  get challenger(): ModelBundle | undefined {
    return this.current.challenger;
  }

  async refresh(client: SqlClient): Promise<void> {
    const versions = await roleVersions(client);
    const next: { champion?: ModelBundle; challenger?: ModelBundle } = {};
    for (const role of ['champion', 'challenger'] as const) {
      const wanted = versions[role];
      if (!wanted) continue;
      const held = this.current[role];
      const bundle = held?.version === wanted ? held : await loadBundle(client, role);
      if (bundle) next[role] = bundle;
    }
    this.current = next;
  }
}
