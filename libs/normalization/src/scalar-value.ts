/**
 * What one vendor value is, whatever arrived: JSON, form-encoded (`urlencoded({ extended: true })`
 * turns repeated or bracketed fields into arrays and objects) or a CSV cell.
 */
export type ScalarRead =
  | { kind: 'absent' }
  | { kind: 'scalar'; value: string | number | boolean }
  /** An object, a nested array or a non-finite number where one value was expected. */
  | { kind: 'invalid'; found: string };

/** Values vendors send for "nothing". `none` is not one of them: it is a real answer for some fields. */
const placeholders = new Set(['null', 'undefined', 'n/a', '-', '--', '(null)', 'nil']);

const absent: ScalarRead = { kind: 'absent' };

/**
 * Reads one value: blank strings and placeholders are absent; an array gives its first present
 * element (a form field sent twice); strings are trimmed and stripped of control and
 * zero-width characters.
 */
export function readScalar(value: unknown): ScalarRead {
  if (Array.isArray(value)) {
    for (const element of value.slice(0, 20)) {
      if (Array.isArray(element)) return { kind: 'invalid', found: 'a nested list' };
      const read = readScalar(element);
      if (read.kind !== 'absent') return read;
    }
    return absent;
  }
  switch (typeof value) {
    case 'undefined':
      return absent;
    case 'string': {
      const text = cleanText(value);
      if (text === '' || placeholders.has(text.toLowerCase())) return absent;
      return { kind: 'scalar', value: text };
    }
    case 'number':
      return Number.isFinite(value)
        ? { kind: 'scalar', value }
        : { kind: 'invalid', found: 'a non-finite number' };
    case 'bigint':
      return { kind: 'scalar', value: value.toString() };
    case 'boolean':
      return { kind: 'scalar', value };
    case 'object':
      return value === null ? absent : { kind: 'invalid', found: 'an object' };
    case 'symbol':
    case 'function':
      return { kind: 'invalid', found: `a ${typeof value}` };
  }
}

/**
 * Printable ASCII words separated by single spaces (or nothing): text `cleanText` would return
 * unchanged. Most vendor values are such text, and one test is cheaper than three replaces.
 */
const cleanAscii = /^(?:[!-~]+(?: [!-~]+)*)?$/;
const controlCharacters = /\p{Cc}/gu;
const zeroWidthCharacters = /[\u200b\u200c\u2060\ufeff]|\u200d/gu;
const whitespaceRuns = /\s+/g;

/** Trims, drops control and zero-width characters, and collapses runs of white space. */
export function cleanText(text: string): string {
  if (cleanAscii.test(text)) return text;
  return collapseWhitespace(text.replace(controlCharacters, ' ').replace(zeroWidthCharacters, ''));
}

export function collapseWhitespace(text: string): string {
  return text.replace(whitespaceRuns, ' ').trim();
}

const nonAscii = /[^\p{ASCII}]/u;

/** Whether `text` is plain ASCII, which every Unicode normalization form (NFC, NFKD, ...) leaves as it is. */
export function isAscii(text: string): boolean {
  return !nonAscii.test(text);
}

/** Whether `value` is an object whose own keys can be read as fields (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keys that must never be read from or written onto an object (prototype pollution). */
const unsafeKeys = new Set(['__proto__', 'constructor', 'prototype']);

export function isUnsafeKey(key: string): boolean {
  return unsafeKeys.has(key);
}
