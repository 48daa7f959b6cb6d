// Writes docs/asyncapi.yaml from the zod schemas in libs/contracts.
//   npm run asyncapi            regenerate the file
//   npm run asyncapi -- --check exit 1 if the committed file is stale
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAsyncApiYaml } from '../libs/contracts/src/asyncapi/render-asyncapi';

const target = join(__dirname, '..', 'docs', 'asyncapi.yaml');
const generated = renderAsyncApiYaml();

if (process.argv.includes('--check')) {
  const committed = readFileSync(target, 'utf8');
  if (committed !== generated) {
    console.error('docs/asyncapi.yaml is stale: run `npm run asyncapi` and commit the result.');
    process.exit(1);
  }
  console.log('docs/asyncapi.yaml is up to date.');
} else {
  writeFileSync(target, generated);
  console.log(`wrote ${target} (${generated.length} characters)`);
}
