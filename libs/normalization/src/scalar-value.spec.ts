import { cleanText, isRecord, isUnsafeKey, readScalar } from './scalar-value';

describe('readScalar', () => {
  it('trims strings and treats blanks and placeholders as absent', () => {
    expect(readScalar('  John  ')).toEqual({ kind: 'scalar', value: 'John' });
    for (const blank of ['', '   ', 'null', 'NULL', 'undefined', 'N/A', 'n/a', '-', '--', '\u200b']) {
      expect(readScalar(blank)).toEqual({ kind: 'absent' });
    }
    expect(readScalar('none')).toEqual({ kind: 'scalar', value: 'none' });
    expect(readScalar('Na')).toEqual({ kind: 'scalar', value: 'Na' });
  });

  it('keeps numbers and booleans, refuses non-finite numbers', () => {
    expect(readScalar(5551234567)).toEqual({ kind: 'scalar', value: 5551234567 });
    expect(readScalar(false)).toEqual({ kind: 'scalar', value: false });
    expect(readScalar(12n)).toEqual({ kind: 'scalar', value: '12' });
    expect(readScalar(Number.NaN)).toMatchObject({ kind: 'invalid' });
    expect(readScalar(Number.POSITIVE_INFINITY)).toMatchObject({ kind: 'invalid' });
  });

  it('reads a repeated form field as its first present value', () => {
    expect(readScalar(['', '555-123-4567', '555-000-0000'])).toEqual({
      kind: 'scalar',
      value: '555-123-4567',
    });
    expect(readScalar([])).toEqual({ kind: 'absent' });
    expect(readScalar([null, ' '])).toEqual({ kind: 'absent' });
    expect(readScalar([['nested']])).toMatchObject({ kind: 'invalid' });
    expect(readScalar([{ a: 1 }])).toMatchObject({ kind: 'invalid' });
  });

  it('treats null and undefined as absent and objects as invalid', () => {
    expect(readScalar(null)).toEqual({ kind: 'absent' });
    expect(readScalar(undefined)).toEqual({ kind: 'absent' });
    expect(readScalar({ number: '555' })).toEqual({ kind: 'invalid', found: 'an object' });
    expect(readScalar(Object.create(null))).toEqual({ kind: 'invalid', found: 'an object' });
    expect(readScalar(Symbol('x'))).toMatchObject({ kind: 'invalid' });
    expect(readScalar(() => 1)).toMatchObject({ kind: 'invalid' });
  });
});

describe('cleanText', () => {
  it('collapses white space and drops control and zero-width characters', () => {
    expect(cleanText(' a \n\t b\u0000c\u200bd\ufeff ')).toBe('a b cd');
    expect(cleanText('\u00a0x\u00a0')).toBe('x');
  });
});

describe('records and keys', () => {
  it('knows which keys are never read or written', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) expect(isUnsafeKey(key)).toBe(true);
    expect(isUnsafeKey('proto')).toBe(false);
    expect(isRecord({})).toBe(true);
    expect(isRecord(Object.create(null))).toBe(true);
    expect(isRecord([])).toBe(false);
    expect(isRecord(null)).toBe(false);
  });
});
