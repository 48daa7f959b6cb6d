import path from 'node:path';
import { execFileSync } from 'node:child_process';

/**
 * Keeps the framework out of the domain: the workspace's own ESLint configuration must turn an
 * import of NestJS, TypeORM or kafkajs from domain or contract code into an error, while the
 * same import stays legal in an app or a technical library.
 */
const repo = path.resolve(__dirname, '../../..');
const frameworkImport = "import { Injectable } from '@nestjs/common';\nimport { Kafka } from 'kafkajs';\nimport { DataSource } from 'typeorm';\nexport const used = [Injectable, Kafka, DataSource];\n";

interface LintMessage {
  ruleId: string | null;
  severity: number;
  message: string;
}

// ESLint's CLI in a child process: its flat config is an ES module that jest's VM cannot import.
async function errorsFor(relativePath: string): Promise<string[]> {
  let stdout: string;
  try {
    stdout = execFileSync('npx', ['eslint', '--format', 'json', '--stdin', '--stdin-filename', relativePath], {
      cwd: repo,
      input: frameworkImport,
      encoding: 'utf8',
    });
  } catch (error) {
    // ESLint exits 1 when it found errors; the report is still on stdout.
    stdout = (error as { stdout: string }).stdout;
  }
  const [result] = JSON.parse(stdout) as { messages: LintMessage[] }[];
  return (result?.messages ?? []).filter((message) => message.severity === 2).map((message) => `${message.ruleId}: ${message.message}`);
}

describe('module boundaries', () => {
  beforeAll(() => {
    // The Nx rule reads the cached project graph; build it as `npm run lint` does.
    execFileSync('npx', ['nx', 'show', 'projects'], { cwd: repo, env: { ...process.env, NX_DAEMON: 'false' }, stdio: 'ignore' });
  });

  it.each([
    ['a domain library (type:domain)', 'libs/scoring-models/src/boundary-probe.ts'],
    ['the contracts library (type:contract)', 'libs/contracts/src/boundary-probe.ts'],
    ["a use case's domain folder inside an app", 'apps/invoicing/src/recording-payments/domain/boundary-probe.ts'],
  ])('rejects @nestjs/*, kafkajs and typeorm in %s', async (_label, file) => {
    const errors = await errorsFor(file);
    for (const banned of ['@nestjs/common', 'kafkajs', 'typeorm']) {
      expect(errors.some((error) => error.includes(banned))).toBe(true);
    }
  });

  it('allows them in an app module and in technical libraries', async () => {
    expect(await errorsFor('apps/invoicing/src/boundary-probe.module.ts')).toEqual([]);
    expect(await errorsFor('libs/platform/src/boundary-probe.ts')).toEqual([]);
  });
});
