import { parseCsv } from '../evaluation/csv';
import { CREDIT_DEFAULT_FEATURES, loadCreditDefaultSplit } from '../evaluation/credit-default';
import { assertNoProtectedAttributes, CREDIT_DEFAULT_PROTECTED_ATTRIBUTES, ProtectedAttributeError } from './protected-attributes';

const header = ['ID', ...Array.from({ length: 23 }, (_, i) => `X${i + 1}`), 'Y'];
const creditCsv = [header.join(','), ...Array.from({ length: 12 }, (_, r) => [r + 1, ...Array.from({ length: 23 }, (_, c) => (r * 7 + c) % 5), r % 2].join(','))].join('\n');

describe('protected attributes', () => {
  it.each([
    ['X2', 'sex'],
    ['X3', 'education'],
    ['X4', 'marital status'],
    ['X5', 'age'],
  ])('rejects credit column %s (%s) as a model feature', (column, meaning) => {
    expect(() => loadCreditDefaultSplit(parseCsv(creditCsv), ['X1', column, 'X6'])).toThrow(ProtectedAttributeError);
    expect(() => assertNoProtectedAttributes(['X1', column], CREDIT_DEFAULT_PROTECTED_ATTRIBUTES)).toThrow(`${column} (${meaning})`);
  });

  it('rejects protected attributes by name in any data set', () => {
    expect(() => assertNoProtectedAttributes(['days_late', 'Age', 'gender'])).toThrow('protected attributes must not be model features: Age, gender');
  });

  it('lets the credit evaluation features through, and they hold none of X2–X5', () => {
    expect(() => assertNoProtectedAttributes(CREDIT_DEFAULT_FEATURES, CREDIT_DEFAULT_PROTECTED_ATTRIBUTES)).not.toThrow();
    expect(CREDIT_DEFAULT_FEATURES).toEqual(['X1', 'X6', 'X7', 'X8', 'X9', 'X10', 'X11', 'X12', 'X13', 'X14', 'X15', 'X16', 'X17', 'X18', 'X19', 'X20', 'X21', 'X22', 'X23']);
    const split = loadCreditDefaultSplit(parseCsv(creditCsv));
    expect(split.training.features.featureNames).toEqual(CREDIT_DEFAULT_FEATURES);
  });
});
