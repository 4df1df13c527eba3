import type { AliasTable } from './canonical-fields';
import {
  ConsentContainers,
  ConsentObjectAliases,
  CoreFields,
  FieldContainers,
  aliasTableFor,
  fieldKey,
  isCanonicalField,
} from './canonical-fields';
import type { FieldIssue } from './field-issue';
import { fieldIssue } from './field-issue';
import { applyTransforms, mappingEntries, resolvePath } from './field-mapping';
import { isRecord, isUnsafeKey, readScalar } from './scalar-value';
import type { VerticalDefinition } from './verticals/vertical-field';

/** One canonical field's value as found in the body, and where it was found. */
export interface FieldValue {
  value: unknown;
  /** The vendor key or path (`cell`, `lead.contact.cell`), for messages. */
  source: string;
}

/** The body keys a lead used, as a tree: `true` for a whole value, a subtree for some keys of an object. */
export type UsedKeys = Map<string, UsedKeys | true>;

export interface LeadFields {
  /** Canonical field → value. */
  values: ReadonlyMap<string, FieldValue>;
  used: UsedKeys;
  warnings: FieldIssue[];
}

interface Candidate {
  field: string;
  rank: number;
  order: number;
  value: unknown;
  path: string[];
}

/**
 * Finds the canonical fields in a vendor body, in this order: the webhook's `fieldMapping`
 * (vendor keys or dotted paths), then the built-in aliases at the top level, then aliases
 * inside a consent object (`consent`, `tcpa`, `compliance`), then aliases one level inside
 * container objects (`lead`, `contact`, `address`, the vertical's name, ...). A field found
 * blank is looked for further. Only the vertical's own fields are taken.
 */
export function findLeadFields(
  body: Record<string, unknown>,
  mapping: unknown,
  definition: VerticalDefinition,
): LeadFields {
  const accepted = acceptedFields(definition);
  const aliases = aliasTableFor(definition);
  const values = new Map<string, FieldValue>();
  const used: UsedKeys = new Map();
  const warnings: FieldIssue[] = [];

  const offer = (field: string, found: FieldValue, path: string[]): void => {
    const current = values.get(field);
    if (current === undefined || readScalar(current.value).kind === 'absent') {
      values.set(field, found);
      markUsed(used, path);
    } else if (readScalar(found.value).kind === 'absent') {
      markUsed(used, path); // a blank duplicate says nothing worth keeping
    }
  };

  const mapped = mappingEntries(mapping);
  warnings.push(...mapped.issues);
  for (const entry of mapped.entries) {
    if (!accepted.has(entry.field)) {
      if (isCanonicalField(entry.field)) {
        const message = `${entry.field} is not a field of this vertical; the value is kept in extra`;
        warnings.push(fieldIssue(`fieldMapping.${entry.key}`, 'field_not_in_vertical', message));
      }
      continue;
    }
    const found = resolvePath(body, entry.key);
    if (found === undefined) continue;
    const transformed = applyTransforms(found.value, entry.transforms);
    for (const transform of transformed.failed) {
      warnings.push(
        fieldIssue(entry.field, 'transform_failed', `${transform} could not read the value of ${entry.key}`),
      );
    }
    offer(entry.field, { value: transformed.value, source: entry.key }, found.path);
    markUsed(used, found.path);
  }

  const topLevel: Candidate[] = [];
  const consentLevel: Candidate[] = [];
  const containerLevel: Candidate[] = [];
  const verticalKey = fieldKey(definition.vertical);
  const keys = Object.keys(body);
  for (let order = 0; order < keys.length; order++) {
    const key = keys[order] ?? '';
    if (isUnsafeKey(key) || used.get(key) === true) continue;
    const value = body[key];
    const name = fieldKey(key);
    if (isRecord(value) && ConsentContainers.has(name)) {
      addCandidates(consentLevel, value, key, ConsentObjectAliases, order, accepted);
    } else if (isRecord(value) && (FieldContainers.has(name) || name === verticalKey)) {
      addCandidates(containerLevel, value, key, aliases, order, accepted);
    } else {
      const alias = aliases.get(name);
      if (alias && accepted.has(alias.field)) {
        topLevel.push({ field: alias.field, rank: alias.rank, order, value, path: [key] });
      }
    }
  }
  for (const level of [topLevel, consentLevel, containerLevel]) {
    level.sort(byRankThenOrder);
    for (const candidate of level) {
      if (isUsed(used, candidate.path)) continue;
      offer(candidate.field, { value: candidate.value, source: candidate.path.join('.') }, candidate.path);
    }
  }
  return { values, used, warnings };
}

function byRankThenOrder(a: Candidate, b: Candidate): number {
  return a.rank - b.rank || a.order - b.order;
}

/** Per vertical, built once: the canonical fields its leads may have (the core ones and its own). */
const acceptedByVertical = new WeakMap<VerticalDefinition, ReadonlySet<string>>();

function acceptedFields(definition: VerticalDefinition): ReadonlySet<string> {
  let accepted = acceptedByVertical.get(definition);
  if (accepted === undefined) {
    accepted = new Set([...CoreFields, ...definition.fields.map((field) => field.name)]);
    acceptedByVertical.set(definition, accepted);
  }
  return accepted;
}

/** Adds the fields found among a container object's own keys to `level`. */
function addCandidates(
  level: Candidate[],
  record: Record<string, unknown>,
  container: string,
  aliases: AliasTable,
  order: number,
  accepted: ReadonlySet<string>,
): void {
  for (const key of Object.keys(record)) {
    if (isUnsafeKey(key)) continue;
    const alias = aliases.get(fieldKey(key));
    if (alias === undefined || !accepted.has(alias.field)) continue;
    level.push({ field: alias.field, rank: alias.rank, order, value: record[key], path: [container, key] });
  }
}

/** Records that the value at `path` was used; a path inside a used value changes nothing. */
export function markUsed(used: UsedKeys, path: readonly string[]): void {
  let level = used;
  for (const [index, key] of path.entries()) {
    const existing = level.get(key);
    if (existing === true) return;
    if (index === path.length - 1) {
      level.set(key, true);
      return;
    }
    const next: UsedKeys = existing ?? new Map<string, UsedKeys | true>();
    level.set(key, next);
    level = next;
  }
}

export function isUsed(used: UsedKeys, path: readonly string[]): boolean {
  let level: UsedKeys | true | undefined = used;
  for (const key of path) {
    if (level === true) return true;
    if (level === undefined) return false;
    level = level.get(key);
  }
  return level === true;
}

export type FieldText =
  | { kind: 'absent' }
  | { kind: 'text'; text: string; raw: string | number | boolean; source: string }
  | { kind: 'invalid'; found: string; source: string };

/** A found field as trimmed text (numbers and booleans spelled out). */
export function fieldText(found: FieldValue | undefined): FieldText {
  if (found === undefined) return { kind: 'absent' };
  const read = readScalar(found.value);
  switch (read.kind) {
    case 'absent':
      return read;
    case 'invalid':
      return { kind: 'invalid', found: read.found, source: found.source };
    case 'scalar':
      return { kind: 'text', text: String(read.value), raw: read.value, source: found.source };
  }
}
