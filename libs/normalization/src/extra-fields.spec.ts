import { MaxExtraEntries, collectExtra } from './extra-fields';
import type { UsedKeys } from './lead-fields';

const nothingUsed: UsedKeys = new Map();

describe('collectExtra', () => {
  it('keeps unused fields as sent and leaves out used ones', () => {
    const used: UsedKeys = new Map<string, UsedKeys | true>([
      ['phone', true],
      ['lead', new Map<string, UsedKeys | true>([['cell', true]])],
      ['contact', new Map<string, UsedKeys | true>([['email', true]])],
    ]);
    const { extra, warnings } = collectExtra(
      {
        phone: '1',
        note: 'call after 5',
        n: 3,
        ok: true,
        nil: null,
        list: [1, 'a', { b: 2 }],
        lead: { cell: '1', agent: 'Bo' },
        contact: { email: 'x' },
      },
      used,
    );
    expect(extra).toEqual({
      note: 'call after 5',
      n: 3,
      ok: true,
      nil: null,
      list: [1, 'a', { b: 2 }],
      lead: { agent: 'Bo' },
    });
    expect(warnings).toEqual([]);
  });

  it(`keeps at most ${MaxExtraEntries} values and says how many it dropped`, () => {
    const body = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`k${i}`, i]));
    const { extra, warnings } = collectExtra(body, nothingUsed);
    expect(Object.keys(extra)).toHaveLength(200);
    expect(extra['k199']).toBe(199);
    expect(extra['k200']).toBeUndefined();
    expect(warnings).toEqual([
      expect.objectContaining({
        field: 'extra',
        rule: 'extra_too_many',
        message: expect.stringContaining('50'),
      }),
    ]);
  });

  it('counts nested keys and list items against the same budget', () => {
    const { extra, warnings } = collectExtra(
      { list: Array.from({ length: 300 }, (_, i) => i), after: 1 },
      nothingUsed,
    );
    expect((extra['list'] as unknown[]).length).toBe(199);
    expect(extra['after']).toBeUndefined();
    expect(warnings).toEqual([expect.objectContaining({ rule: 'extra_too_many' })]);
  });

  it('keeps five levels and drops what is deeper', () => {
    const body = { a: { b: { c: { d: { e: 'five', f: { g: 'six' } } } } } };
    const { extra, warnings } = collectExtra(body, nothingUsed);
    expect(extra).toEqual({ a: { b: { c: { d: { e: 'five' } } } } });
    expect(warnings).toEqual([expect.objectContaining({ rule: 'extra_too_deep' })]);
    expect(collectExtra({ a: { b: { c: { d: { e: {} } } } } }, nothingUsed).extra).toEqual({
      a: { b: { c: { d: { e: {} } } } },
    });
  });

  it('survives very deep nesting without recursion trouble', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 10_000; i++) deep = { next: deep };
    const { extra, warnings } = collectExtra({ deep }, nothingUsed);
    expect(JSON.stringify(extra)).toBe('{"deep":{"next":{"next":{"next":{}}}}}');
    expect(warnings).toEqual([expect.objectContaining({ rule: 'extra_too_deep' })]);
  });

  it('drops very long strings', () => {
    const { extra, warnings } = collectExtra(
      { blob: 'x'.repeat(10_001), fine: 'x'.repeat(10_000) },
      nothingUsed,
    );
    expect(Object.keys(extra)).toEqual(['fine']);
    expect(warnings).toEqual([expect.objectContaining({ rule: 'extra_too_long' })]);
  });

  it('never copies prototype-pollution keys, at any depth', () => {
    const body = JSON.parse(
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "a": {"__proto__": {"polluted": true}, "b": 1}}',
    ) as Record<string, unknown>;
    const { extra, warnings } = collectExtra(body, nothingUsed);
    expect(extra).toEqual({ a: { b: 1 } });
    expect(Object.getPrototypeOf(extra)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(extra['a'])).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(warnings).toEqual([expect.objectContaining({ field: 'body', rule: 'unsafe_key' })]);
  });

  it('skips values JSON cannot hold', () => {
    const { extra } = collectExtra({ f: () => 1, s: Symbol('x'), u: undefined, big: 1n, ok: 1 }, nothingUsed);
    expect(extra).toEqual({ ok: 1 });
  });
});
