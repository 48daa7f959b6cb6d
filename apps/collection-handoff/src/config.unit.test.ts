import * as path from 'node:path';
import { agencyRouter, loadCollectionConfig } from './config';

describe('collection-handoff configuration', () => {
  it('loads the local agencies file; secrets come from the environment, never the file', () => {
    const config = loadCollectionConfig({ AGENCY_INKASSO_SE_CALLBACK_TOKEN: 'secret-1' });
    expect(config.agencies.map((a) => [a.agencyId, a.channel])).toEqual([
      ['inkasso-se', 'api'],
      ['inkasso-de', 'batch'],
    ]);
    expect(config.secrets['AGENCY_INKASSO_SE_CALLBACK_TOKEN']).toBe('secret-1');
    expect(config.agencies[1]?.batch?.dropDir).toBe(path.resolve(__dirname, '../../../tmp/local/collection/inkasso-de/outbound'));
    expect(config.topics).toEqual({ invoices: 'invoicing.invoices.v1', actions: 'dunning.actions.v1', cases: 'collection.cases.v1' });
  });

  it('routes a country to its agency, anything else to the "*" agency', () => {
    const route = agencyRouter(loadCollectionConfig({}).agencies);
    expect(route('SE')?.agencyId).toBe('inkasso-se');
    expect(route('DE')).toMatchObject({ agencyId: 'inkasso-de', channel: 'batch', creditor: { name: 'Example Telco GmbH' } });
    expect(route('FI')?.agencyId).toBe('inkasso-de');
    expect(route(undefined)?.agencyId).toBe('inkasso-de');
    expect(agencyRouter([])('SE')).toBeUndefined();
  });
});
