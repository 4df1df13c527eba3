const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Text PostgreSQL can store in `text` and `jsonb`: without NUL characters, and with lone UTF-16
 * surrogates (invalid Unicode) replaced by U+FFFD.
 */
export function storableText(value: string): string {
  // Nearly all text has neither NUL nor a surrogate and is returned as it is, without two replaces.
  if (!value.includes('\u0000') && !SURROGATE.test(value)) return value;
  return value.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\uFFFD');
}

/** `value` with every string in it, keys included, made storable (plain data in, plain data out). */
export function storable<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => storable(v)) as T;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record)) {
      const clean = storableText(key);
      const inner = storable(record[key]);
      if (clean in out) {
        // `__proto__` (or any key `out` has or inherits): assigning it could reach Object.prototype.
        Object.defineProperty(out, clean, {
          value: inner,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        out[clean] = inner; // the same own, enumerable, writable property, and much faster
      }
    }
    return out as T;
  }
  return value;
}
