import { columnIndex, parseCsv, parseNumber } from './csv';

describe('parseCsv', () => {
  it('reads quoted fields with commas and escaped quotes, and CRLF line ends', () => {
    const table = parseCsv('recency,history_segment,note\r\n5,"6) $750 - $1,000","say ""hi"""\r\n6,plain,\r\n');
    expect(table.header).toEqual(['recency', 'history_segment', 'note']);
    expect(table.rows).toEqual([
      ['5', '6) $750 - $1,000', 'say "hi"'],
      ['6', 'plain', ''],
    ]);
  });

  it('reads a last line without a line break and skips blank lines', () => {
    expect(parseCsv('a,b\n\n1,2').rows).toEqual([['1', '2']]);
  });

  it('rejects rows of the wrong width and an unterminated quote', () => {
    expect(() => parseCsv('a,b\n1,2,3')).toThrow(/data row 0 has 3 fields, the header has 2/);
    expect(() => parseCsv('a\n"open')).toThrow(/inside a quoted field/);
  });

  it('names the columns when one is missing, and the value that is not a number', () => {
    expect(() => columnIndex(parseCsv('a,b\n1,2'), 'c')).toThrow('CSV has no column "c" (columns: a, b)');
    expect(() => parseNumber('x1', 'row 3 recency')).toThrow('row 3 recency: "x1" is not a number');
    expect(() => parseNumber('', 'row 3 recency')).toThrow(/not a number/);
  });
});
