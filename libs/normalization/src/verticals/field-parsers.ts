import { moneyValue, parseMoney, parseYesNo } from '../money-and-dates';
import { cleanText, collapseWhitespace, isAscii } from '../scalar-value';
import type { FieldParse, VerticalField } from './vertical-field';

type Value = string | number | boolean;
type FieldShape = Omit<VerticalField, 'parse'>;

/** Longest input any numeric or enum field is read from. */
const MaxScalarInput = 100;

export const YearUnits = ['years', 'year', 'yrs', 'yr', 'y', 'years old'] as const;
export const SquareFeetUnits = [
  'sq ft',
  'sq. ft.',
  'sq.ft.',
  'sqft',
  'sq feet',
  'square feet',
  'sf',
  'ft2',
] as const;

/** Money between `min` and `max`, kept as a two-decimal string (`"1250.00"`). */
export function moneyField(shape: FieldShape, range: { min: number; max: number }): VerticalField {
  return {
    ...shape,
    parse(value) {
      if (typeof value === 'boolean' || String(value).length > MaxScalarInput) return notMoney();
      const money = parseMoney(value);
      if (money === null) return notMoney();
      return inRange(moneyValue(money), range) ? ok(money) : outOfRange(range);
    },
  };
}

/** A whole number between `min` and `max`; `2,500`, `12.0` and a unit (`15 years`) are forgiven. */
export function integerField(
  shape: FieldShape,
  range: { min: number; max: number },
  units: readonly string[] = [],
): VerticalField {
  return {
    ...shape,
    parse(value) {
      const number = parseInteger(value, units);
      if (number === null) return { ok: false, rule: 'type', message: 'must be a whole number' };
      return inRange(number, range) ? ok(number) : outOfRange(range);
    },
  };
}

/** A number between `min` and `max` in steps of one half (bathrooms: `2.5`). */
export function halfStepField(shape: FieldShape, range: { min: number; max: number }): VerticalField {
  return {
    ...shape,
    parse(value) {
      const text = typeof value === 'boolean' ? '' : String(value).trim();
      const number = text.length <= 20 && /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
      if (!Number.isFinite(number) || !Number.isInteger(number * 2)) {
        return { ok: false, rule: 'type', message: 'must be a whole or half number (like 2 or 2.5)' };
      }
      return inRange(number, range) ? ok(number) : outOfRange(range);
    },
  };
}

/**
 * One of `values`. Matching ignores case, spaces, dashes, underscores and punctuation
 * (`Needs Replacement` is `needs_replacement`); `synonyms` map other words people use.
 */
export function enumField<T extends string>(
  shape: FieldShape,
  values: readonly T[],
  synonyms: Readonly<Record<string, T>> = {},
): VerticalField {
  const lookup = new Map<string, T>();
  for (const [word, value] of Object.entries(synonyms)) lookup.set(enumKey(word), value);
  for (const value of values) lookup.set(enumKey(value), value);
  return {
    ...shape,
    parse(value) {
      const text = String(value);
      const match = text.length <= MaxScalarInput ? lookup.get(enumKey(text)) : undefined;
      if (match !== undefined) return ok(match);
      return { ok: false, rule: 'enum', message: `must be one of ${values.join(', ')}` };
    },
  };
}

const notEnumKeyCharacter = /[^a-z0-9+]/g;

/** Lower-case letters, digits and `+` only: the form enum values and synonyms are compared in. */
export function enumKey(text: string): string {
  // NFKD strips accents and compatibility forms; ASCII text it leaves as it is.
  const decomposed = isAscii(text) ? text : text.normalize('NFKD');
  return decomposed.toLowerCase().replace(notEnumKeyCharacter, '');
}

/** Yes or no (yes/y/true/1/on/x/checked, no/n/false/0/off), plus field-specific words. */
export function booleanField(
  shape: FieldShape,
  synonyms: Readonly<Record<string, boolean>> = {},
): VerticalField {
  const lookup = new Map(Object.entries(synonyms).map(([word, answer]) => [enumKey(word), answer]));
  return {
    ...shape,
    parse(value) {
      const answer =
        parseYesNo(value) ?? (typeof value === 'string' ? lookup.get(enumKey(value)) : undefined);
      return answer === undefined || answer === null
        ? { ok: false, rule: 'type', message: 'must be yes or no' }
        : ok(answer);
    },
  };
}

/** Free text up to `max` characters, white space tidied. */
export function textField(shape: FieldShape, max: number): VerticalField {
  return {
    ...shape,
    parse(value) {
      if (typeof value === 'boolean') return { ok: false, rule: 'type', message: 'must be text' };
      const text = cleanText(String(value));
      return text.length <= max
        ? ok(text)
        : { ok: false, rule: 'range', message: `must be at most ${max} characters` };
    },
  };
}

/** A whole number from a number or text (`2,500`, `12.0`, `15 years` with `units`); null when not one. */
export function parseInteger(value: Value, units: readonly string[] = []): number | null {
  if (typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isInteger(value) ? value : null;
  let text = collapseWhitespace(value.toLowerCase());
  if (text.length > MaxScalarInput) return null;
  for (const unit of [...units].sort((a, b) => b.length - a.length)) {
    if (text.endsWith(unit) && /[\d\s]$/.test(text.slice(0, -unit.length))) {
      text = text.slice(0, -unit.length).trim();
      break;
    }
  }
  const match = /^([-+]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.0*)?$/.exec(text);
  if (!match) return null;
  const number = Number(`${match[1] ?? ''}${(match[2] ?? '').replace(/,/g, '')}`);
  return Number.isSafeInteger(number) ? number : match[1] === '-' ? -Infinity : Infinity;
}

export function inRange(value: number, range: { min: number; max: number }): boolean {
  return value >= range.min && value <= range.max;
}

export function outOfRange(range: { min: number; max: number }): FieldParse {
  return { ok: false, rule: 'range', message: `must be between ${range.min} and ${range.max}` };
}

export function ok(value: unknown): FieldParse {
  return { ok: true, value };
}

function notMoney(): FieldParse {
  return { ok: false, rule: 'type', message: 'must be an amount like 1250 or $1,250.50' };
}
