import { parse } from 'yaml';
import { z } from 'zod';
import { policySchema, type Policy } from './policy-schema';

export class InvalidPolicyError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly string[],
  ) {
    super(`invalid dunning policy ${source}:\n  ${issues.join('\n  ')}`);
    this.name = 'InvalidPolicyError';
  }
}

/** Parses and validates a policy document (YAML, which includes JSON). Reading the file is the caller's job. */
export function parsePolicy(text: string, source = 'policy'): Policy {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new InvalidPolicyError(source, [`not YAML/JSON: ${error instanceof Error ? error.message : String(error)}`]);
  }
  const result = policySchema.safeParse(document);
  if (!result.success) {
    throw new InvalidPolicyError(
      source,
      result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(policy)'}: ${issue.message}`),
    );
  }
  return result.data;
}

export type { Policy };
export const policyJsonSchema = (): unknown => z.toJSONSchema(policySchema, { io: 'input', unrepresentable: 'any' });
