import { CopyJson, copyLine, textArrayLiteral } from './copy';

describe('COPY text format', () => {
  it('escapes backslash, tab, newline and carriage return and writes NULL as \\N', () => {
    expect(copyLine(['a\tb', 'c\nd\r', 'back\\slash', null, 'plain'])).toBe(
      'a\\tb\tc\\nd\\r\tback\\\\slash\t\\N\tplain\n',
    );
  });

  it('writes a buffer as bytea hex input, its backslash escaped for COPY', () => {
    expect(copyLine([Buffer.from('a\tb\u00e9', 'utf8'), Buffer.alloc(0)])).toBe('\\\\x610962c3a9\t\\\\x\n');
  });

  it('writes booleans, numbers, dates, JSON and text arrays', () => {
    const line = copyLine([
      true,
      false,
      42,
      new Date('2026-11-23T12:00:00.000Z'),
      new CopyJson({ note: 'tab\there', quote: '"' }),
      new CopyJson(null),
      ['x', 'has "quote"', 'back\\slash'],
    ]);
    expect(line.split('\t')).toEqual([
      't',
      'f',
      '42',
      '2026-11-23T12:00:00.000Z',
      '{"note":"tab\\\\there","quote":"\\\\""}',
      '\\N',
      '{"x","has \\\\"quote\\\\"","back\\\\\\\\slash"}\n',
    ]);
  });

  it('quotes every array element', () => {
    expect(textArrayLiteral([])).toBe('{}');
    expect(textArrayLiteral(['a b', 'NULL'])).toBe('{"a b","NULL"}');
  });
});
