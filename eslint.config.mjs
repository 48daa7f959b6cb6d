import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Frameworks and I/O clients that must never reach pure domain or contract code.
const frameworkImports = ['@nestjs/*', 'typeorm', 'kafkajs', 'pg', '@opentelemetry/*', 'express'];
const services = ['invoicing', 'scoring', 'dunning-orchestrator', 'notifier', 'collection-handoff', 'simulator', 'e2e'];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/tmp/**', '**/.nx/**', 'coverage/**', '**/*.js', '**/*.cjs'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Domain code: pure functions over data. No framework, no I/O client, no clock.
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:contract'], bannedExternalImports: frameworkImports },
            { sourceTag: 'type:contract', onlyDependOnLibsWithTags: ['type:contract'], bannedExternalImports: frameworkImports },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:contract', 'type:domain'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:contract', 'type:domain'] },
            // A service's domain belongs to that service alone.
            ...services.map((s) => ({ sourceTag: `scope:${s}`, onlyDependOnLibsWithTags: [`scope:${s}`, 'scope:shared'] })),
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Inside apps, a use case keeps its decision logic in `domain/` folders or `*.domain.ts` files;
    // those files obey the same ban as domain libraries.
    files: ['apps/**/domain/**/*.ts', 'apps/**/*.domain.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: frameworkImports, message: 'Domain code stays framework free (DESIGN.md).' }] }],
    },
  },
  {
    files: ['**/*.test.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
