import type { FieldIssue } from './field-issue';
import { fieldIssue } from './field-issue';
import type { UsedKeys } from './lead-fields';
import { isRecord, isUnsafeKey } from './scalar-value';

/** At most this many values (keys at any depth and list items) are kept in `attributes.extra`. */
export const MaxExtraEntries = 200;
/** Keys deeper than this (`a.b.c.d.e` is depth 5) are dropped. */
export const MaxExtraDepth = 5;
/** Longer strings are dropped rather than stored with every lead. */
export const MaxExtraStringLength = 10_000;

interface Tally {
  left: number;
  overBudget: number;
  tooDeep: number;
  tooLong: number;
  unsafe: number;
}

const skip = Symbol('skip');

/**
 * The vendor fields a lead did not use, kept as sent, within limits: at most 200 values, 5
 * levels, strings up to 10,000 characters. `__proto__`, `constructor` and `prototype` keys are
 * never copied. What is dropped is reported as warnings.
 */
export function collectExtra(
  body: Record<string, unknown>,
  used: UsedKeys,
): { extra: Record<string, unknown>; warnings: FieldIssue[] } {
  const tally: Tally = { left: MaxExtraEntries, overBudget: 0, tooDeep: 0, tooLong: 0, unsafe: 0 };
  const extra = copyRecord(body, used, 1, tally);
  const warnings: FieldIssue[] = [];
  if (tally.unsafe > 0) {
    warnings.push(
      fieldIssue('body', 'unsafe_key', `ignored ${tally.unsafe} __proto__/constructor/prototype key(s)`),
    );
  }
  if (tally.overBudget > 0) {
    warnings.push(
      fieldIssue(
        'extra',
        'extra_too_many',
        `kept ${MaxExtraEntries} unrecognized values; dropped ${tally.overBudget}`,
      ),
    );
  }
  if (tally.tooDeep > 0) {
    warnings.push(
      fieldIssue(
        'extra',
        'extra_too_deep',
        `dropped ${tally.tooDeep} value(s) nested deeper than ${MaxExtraDepth} levels`,
      ),
    );
  }
  if (tally.tooLong > 0) {
    warnings.push(
      fieldIssue(
        'extra',
        'extra_too_long',
        `dropped ${tally.tooLong} text value(s) longer than ${MaxExtraStringLength} characters`,
      ),
    );
  }
  return { extra, warnings };
}

function copyRecord(
  record: Record<string, unknown>,
  used: UsedKeys | undefined,
  depth: number,
  tally: Tally,
): Record<string, unknown> {
  const entries: Array<[string, unknown]> = [];
  for (const key of Object.keys(record)) {
    if (isUnsafeKey(key)) {
      tally.unsafe++;
      continue;
    }
    const mark = used?.get(key);
    if (mark === true) continue;
    const value = record[key];
    if (mark !== undefined && isRecord(value)) {
      // Some of its keys were used: keep the rest, drop it if nothing is left.
      const rest = copyRecord(value, mark, depth + 1, tally);
      if (Object.keys(rest).length > 0) entries.push([key, rest]);
      continue;
    }
    if (tally.left <= 0) {
      tally.overBudget++;
      continue;
    }
    tally.left--;
    const copy = copyValue(value, depth, tally);
    if (copy !== skip) entries.push([key, copy]);
  }
  return Object.fromEntries(entries);
}

/** A copy of a value held by a key at `depth`. */
function copyValue(value: unknown, depth: number, tally: Tally): unknown {
  switch (typeof value) {
    case 'string':
      if (value.length > MaxExtraStringLength) {
        tally.tooLong++;
        return skip;
      }
      return value;
    case 'number':
    case 'boolean':
      return value;
    case 'object':
      break;
    case 'undefined':
    case 'bigint':
    case 'symbol':
    case 'function':
      return skip;
  }
  if (value === null) return null;
  const isList = Array.isArray(value);
  if (!isList && !isRecord(value)) return skip;
  const size = isList ? value.length : Object.keys(value).length;
  if (size > 0 && depth >= MaxExtraDepth) {
    tally.tooDeep++;
    return skip;
  }
  if (!isList) return copyRecord(value, undefined, depth + 1, tally);
  const items: unknown[] = [];
  for (const item of value) {
    if (tally.left <= 0) {
      tally.overBudget++;
      continue;
    }
    tally.left--;
    const copy = copyValue(item, depth + 1, tally);
    if (copy !== skip) items.push(copy);
  }
  return items;
}
