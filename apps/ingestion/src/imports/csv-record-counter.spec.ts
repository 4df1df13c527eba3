import { parse } from 'csv-parse/sync';
import { CsvRecordCounter } from './csv-record-counter';

function count(text: string, chunkSize = 3): number {
  const counter = new CsvRecordCounter();
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunkSize) counter.push(bytes.subarray(i, i + chunkSize));
  return counter.total();
}

function parsed(text: string): number {
  return (
    parse(text, {
      bom: true,
      relax_quotes: true,
      relax_column_count: true,
      trim: true,
      skip_empty_lines: true,
    }) as unknown[]
  ).length;
}

describe('CsvRecordCounter', () => {
  it.each([
    ['plain lines', 'a,b\n1,2\n3,4\n'],
    ['no final newline', 'a,b\n1,2\n3,4'],
    ['CRLF and empty lines', 'a,b\r\n\r\n1,2\r\n\r\n3,4\r\n'],
    ['newlines inside quotes', 'a,b\n"multi\nline",2\n"x ""quoted"" \n y",3\n'],
    ['literal quotes inside unquoted fields', 'a,b\n5" roof,2\nsay "hi",3\n'],
    ['quoted field after spaces', 'a,b\n1,  "x\ny"\n2,3\n'],
    ['a BOM', '\ufeffa,b\n1,2\n'],
    ['an escaped quote split across chunks', 'a\n"x""\ny"\nz\n'],
  ])('counts records as the parser reads them: %s', (_name, text) => {
    for (const size of [1, 2, 3, 7, 1000]) expect(count(text, size)).toBe(parsed(text));
  });
});
