import { storable, storableText } from './storable-text';

describe('storable text', () => {
  it('drops NUL and replaces lone surrogates, keeping valid pairs', () => {
    expect(storableText('a\u0000b')).toBe('ab');
    expect(storableText('x\ud800y')).toBe('x\ufffdy');
    expect(storableText('\udc00')).toBe('\ufffd');
    expect(storableText('ok 😀')).toBe('ok 😀');
  });

  it('cleans keys and values at any depth without inheriting from Object.prototype', () => {
    const cleaned = storable({ '\u0000': 'x', notes: ['a\u0000', { deep: '\ud800' }], n: 1, b: null });
    expect(cleaned).toEqual({ '': 'x', notes: ['a', { deep: '\ufffd' }], n: 1, b: null });
    const hostile = storable(JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>);
    expect(Object.keys(hostile)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
