/**
 * Protected attributes must never reach a model that shapes a dunning decision (DESIGN.md,
 * promise 7): sex, age, marital status — and education, which the credit data set's own
 * description lists with them.
 */
export interface ProtectedAttribute {
  readonly column: string;
  readonly meaning: string;
}

/** The protected columns of the UCI "default of credit card clients" data set. */
export const CREDIT_DEFAULT_PROTECTED_ATTRIBUTES: readonly ProtectedAttribute[] = [
  { column: 'X2', meaning: 'sex' },
  { column: 'X3', meaning: 'education' },
  { column: 'X4', meaning: 'marital status' },
  { column: 'X5', meaning: 'age' },
];

/** Names that denote a protected attribute whatever the data set. */
const PROTECTED_NAME_PATTERN = /^(sex|gender|age|date_?of_?birth|birth_?date|marital_?status|marriage|education|ethnicity|race|religion|nationality)$/i;

export class ProtectedAttributeError extends Error {
  constructor(readonly offending: readonly string[]) {
    super(`protected attributes must not be model features: ${offending.join(', ')}`);
    this.name = 'ProtectedAttributeError';
  }
}

/** Throws when a feature is a listed protected column or has the name of a protected attribute. */
export function assertNoProtectedAttributes(featureNames: readonly string[], protectedAttributes: readonly ProtectedAttribute[] = []): void {
  const offending = featureNames.filter((name) => {
    const listed = protectedAttributes.find((attribute) => attribute.column === name);
    return listed !== undefined || PROTECTED_NAME_PATTERN.test(name);
  });
  if (offending.length > 0) {
    throw new ProtectedAttributeError(
      offending.map((name) => {
        const listed = protectedAttributes.find((attribute) => attribute.column === name);
        return listed ? `${name} (${listed.meaning})` : name;
      }),
    );
  }
}
