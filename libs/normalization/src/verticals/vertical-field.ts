import type { Vertical } from '@leadflow/contracts';
import type { DateTime } from 'luxon';
import type { FieldIssue } from '../field-issue';
import { describeField, fieldIssue } from '../field-issue';
import { readScalar } from '../scalar-value';

export type VerticalRule = 'range' | 'enum' | 'type' | 'required';

export type FieldParse =
  { ok: true; value: unknown } | { ok: false; rule: Exclude<VerticalRule, 'required'>; message: string };

export interface VerticalContext {
  /** Now, in UTC: ages and "current year" are judged against it. */
  now: DateTime;
}

/** One typed field of a vertical (camelCase name) and the vendor spellings it is known by. */
export interface VerticalField {
  name: string;
  /** Vendor spellings besides the name itself; matched case- and separator-insensitively. */
  aliases: readonly string[];
  required?: boolean;
  parse(value: string | number | boolean, context: VerticalContext): FieldParse;
}

export interface VerticalDefinition {
  vertical: Vertical;
  fields: readonly VerticalField[];
}

export interface VerticalInput {
  value: unknown;
  /** The vendor's key or path the value came from, for messages. */
  source: string;
}

export interface VerticalValidation {
  /** Typed values of the fields that were sent, in field order. */
  attributes: Array<[string, unknown]>;
  errors: FieldIssue[];
}

/** Parses every field of the vertical that was sent, and reports the required ones that were not. */
export function validateVertical(
  definition: VerticalDefinition,
  inputs: ReadonlyMap<string, VerticalInput>,
  context: VerticalContext,
): VerticalValidation {
  const attributes: Array<[string, unknown]> = [];
  const errors: FieldIssue[] = [];
  for (const field of definition.fields) {
    const input = inputs.get(field.name);
    const read = readScalar(input?.value);
    // Named for messages only, so only when there is one.
    const name = () => describeField(field.name, input?.source);
    switch (read.kind) {
      case 'absent':
        if (field.required) errors.push(fieldIssue(field.name, 'required', `${field.name} is required`));
        break;
      case 'invalid':
        errors.push(fieldIssue(field.name, 'type', `${name()} must be a single value, not ${read.found}`));
        break;
      case 'scalar': {
        const parsed = field.parse(read.value, context);
        if (parsed.ok) attributes.push([field.name, parsed.value]);
        else errors.push(fieldIssue(field.name, parsed.rule, `${name()} ${parsed.message}`));
        break;
      }
    }
  }
  return { attributes, errors };
}
