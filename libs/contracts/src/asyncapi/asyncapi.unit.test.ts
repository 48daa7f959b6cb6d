import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { parse } from 'yaml';
import { ALL_EVENT_REGISTRIES } from '../catalog';
import { deadLetterTopicOf } from '../topics';
import { renderAsyncApiYaml } from './render-asyncapi';

// docs/asyncapi.yaml is generated from the zod schemas; this keeps the committed file from drifting
// and proves it is a valid AsyncAPI 3 document.

const COMMITTED = join(__dirname, '..', '..', '..', '..', 'docs', 'asyncapi.yaml');
const ERROR_SEVERITY = 0;

describe('docs/asyncapi.yaml', () => {
  const generated = renderAsyncApiYaml();

  it('equals what the schemas generate (run `npm run asyncapi` after changing a contract)', () => {
    expect(readFileSync(COMMITTED, 'utf8')).toBe(generated);
  });

  it('is a valid AsyncAPI 3.0 document', async () => {
    const diagnostics = await new Parser().validate(generated);
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === ERROR_SEVERITY).map((diagnostic) => `${diagnostic.path.join('.')}: ${diagnostic.message}`);
    expect(errors).toEqual([]);
  }, 30_000);

  it('has a channel for every topic and its dead-letter topic, and a message with CloudEvents headers for every type', () => {
    const document = parse(generated) as {
      asyncapi: string;
      channels: Record<string, { address: string }>;
      components: { messages: Record<string, { headers: { required: string[]; properties: Record<string, { const?: string }> } }> };
    };
    expect(document.asyncapi).toBe('3.0.0');
    const addresses = Object.values(document.channels).map((channel) => channel.address);
    for (const registry of ALL_EVENT_REGISTRIES) {
      expect(addresses).toEqual(expect.arrayContaining([registry.topic, deadLetterTopicOf(registry.topic)]));
      for (const type of registry.knownTypes) {
        const headers = document.components.messages[type]?.headers;
        expect(headers?.required).toEqual(expect.arrayContaining(['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'content-type']));
        expect(headers?.properties['ce_type']?.const).toBe(type);
      }
    }
  });
});
