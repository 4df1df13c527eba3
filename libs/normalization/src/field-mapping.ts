import { AllAliases, fieldKey, isCanonicalField } from './canonical-fields';
import type { FieldIssue } from './field-issue';
import { fieldIssue, quoteable } from './field-issue';
import { parseDate, parseMoney, parseYesNo } from './money-and-dates';
import { isRecord, isUnsafeKey, readScalar } from './scalar-value';

export type CanonicalField = string;

export const FieldTransforms = [
  'trim',
  'lower',
  'upper',
  'split_full_name',
  'parse_date',
  'parse_money',
  'yes_no',
] as const;
export type FieldTransform = (typeof FieldTransforms)[number];

export interface FieldMappingRule {
  field: CanonicalField;
  transforms?: FieldTransform[];
}

/** Vendor field name or dotted path (e.g. `lead.contact.cell`) → canonical field or rule. */
export type FieldMapping = Record<string, CanonicalField | FieldMappingRule>;

export const MaxMappingKeyLength = 200;
export const MaxMappingEntries = 500;

/** Targets a full name may be split into: `split_full_name` on any of them fills first and last name. */
const nameFields = new Set(['fullName', 'firstName', 'lastName']);

export interface MappingEntry {
  /** The vendor key or dotted path. */
  key: string;
  field: CanonicalField;
  transforms: readonly FieldTransform[];
}

/**
 * Problems with a webhook's `fieldMapping`, for the config API (empty when it is fine): keys
 * non-empty and at most 200 characters, targets canonical fields, transforms known.
 */
export function validateFieldMapping(mapping: unknown): FieldIssue[] {
  if (mapping === undefined || mapping === null) return [];
  if (!isRecord(mapping)) {
    return [
      fieldIssue('fieldMapping', 'type', 'fieldMapping must be an object of vendor field → canonical field'),
    ];
  }
  const keys = Object.keys(mapping);
  if (keys.length > MaxMappingEntries) {
    return [
      fieldIssue('fieldMapping', 'max_entries', `fieldMapping may have at most ${MaxMappingEntries} entries`),
    ];
  }
  return keys.flatMap((key) => entryIssues(key, mapping[key]));
}

function entryIssues(key: string, target: unknown): FieldIssue[] {
  const field = `fieldMapping.${key}`;
  if (key.trim() === '') return [fieldIssue(field, 'required', 'a vendor field name must not be empty')];
  if (key.length > MaxMappingKeyLength) {
    return [
      fieldIssue(
        field,
        'max_length',
        `a vendor field name may have at most ${MaxMappingKeyLength} characters`,
      ),
    ];
  }
  if (pathSegments(key).some(isUnsafeKey)) {
    return [fieldIssue(field, 'unsafe_key', '__proto__, constructor and prototype cannot be read')];
  }
  if (typeof target === 'string') return targetIssues(field, target);
  if (!isRecord(target)) {
    return [fieldIssue(field, 'type', 'must be a canonical field name or { field, transforms }')];
  }
  const issues: FieldIssue[] = [];
  const unknownKeys = Object.keys(target).filter((name) => name !== 'field' && name !== 'transforms');
  if (unknownKeys.length > 0) {
    issues.push(
      fieldIssue(
        field,
        'unknown_property',
        `only field and transforms are allowed, not ${quoteable(unknownKeys.join(', '))}`,
      ),
    );
  }
  if (typeof target['field'] !== 'string') {
    issues.push(fieldIssue(field, 'required', 'field (a canonical field name) is required'));
  } else {
    issues.push(...targetIssues(field, target['field']));
  }
  const transforms = target['transforms'];
  if (transforms === undefined) return issues;
  if (!Array.isArray(transforms)) {
    return [
      ...issues,
      fieldIssue(field, 'type', `transforms must be a list of ${FieldTransforms.join(', ')}`),
    ];
  }
  for (const transform of transforms) {
    if (!isFieldTransform(transform)) {
      const name = typeof transform === 'string' ? `"${quoteable(transform)}"` : 'a non-text value';
      issues.push(
        fieldIssue(field, 'unknown_transform', `${name} is not one of ${FieldTransforms.join(', ')}`),
      );
    } else if (
      transform === 'split_full_name' &&
      typeof target['field'] === 'string' &&
      !nameFields.has(target['field'])
    ) {
      issues.push(
        fieldIssue(
          field,
          'transform_mismatch',
          'split_full_name only applies to fullName, firstName or lastName',
        ),
      );
    }
  }
  return issues;
}

function targetIssues(field: string, target: string): FieldIssue[] {
  if (isCanonicalField(target)) return [];
  const hint = AllAliases.get(fieldKey(target))?.field;
  const suggestion = hint === undefined ? '' : ` (did you mean ${hint}?)`;
  return [fieldIssue(field, 'unknown_field', `"${quoteable(target)}" is not a canonical field${suggestion}`)];
}

function isFieldTransform(value: unknown): value is FieldTransform {
  return typeof value === 'string' && (FieldTransforms as readonly string[]).includes(value);
}

/**
 * The usable entries of a mapping, in order. Entries `validateFieldMapping` would refuse are
 * left out and reported (a stored mapping should never have them).
 */
export function mappingEntries(mapping: unknown): { entries: MappingEntry[]; issues: FieldIssue[] } {
  if (!isRecord(mapping)) return { entries: [], issues: [] };
  const entries: MappingEntry[] = [];
  const issues: FieldIssue[] = [];
  for (const key of Object.keys(mapping).slice(0, MaxMappingEntries)) {
    const target = mapping[key];
    const problems = entryIssues(key, target);
    if (problems.length > 0) {
      issues.push(
        ...problems.map((problem) => ({
          ...problem,
          rule: 'mapping_ignored',
          message: `ignored: ${problem.message}`,
        })),
      );
      continue;
    }
    const rule = typeof target === 'string' ? { field: target, transforms: [] } : readRule(target);
    const transforms = rule.transforms;
    const field = transforms.includes('split_full_name') ? 'fullName' : rule.field;
    entries.push({ key, field, transforms });
  }
  return { entries, issues };
}

function readRule(target: unknown): { field: string; transforms: FieldTransform[] } {
  if (!isRecord(target)) return { field: '', transforms: [] };
  const transforms = Array.isArray(target['transforms']) ? target['transforms'].filter(isFieldTransform) : [];
  return { field: typeof target['field'] === 'string' ? target['field'] : '', transforms };
}

/** `lead.contact.cell` and `lead[contact][cell]` → [lead, contact, cell]. */
export function pathSegments(key: string): string[] {
  return key.replace(/\[([^\]]*)\]/g, '.$1').split('.');
}

export interface ResolvedValue {
  value: unknown;
  /** Keys from the body's top level to the value (stops at an array: the whole list is used). */
  path: string[];
}

/**
 * Finds a mapping key in a body: the exact top-level key first (a key may contain dots), then
 * the dotted path through nested objects (list items by index), each step exact or else
 * matched case- and separator-insensitively.
 */
export function resolvePath(body: Record<string, unknown>, key: string): ResolvedValue | undefined {
  if (!isUnsafeKey(key) && Object.hasOwn(body, key)) return { value: body[key], path: [key] };
  const segments = pathSegments(key);
  if (segments.length > 32 || segments.some(isUnsafeKey)) return undefined;
  let current: unknown = body;
  const path: string[] = [];
  let inList = false;
  for (const segment of segments) {
    if (Array.isArray(current)) {
      if (!/^\d{1,6}$/.test(segment)) return undefined;
      current = current[Number(segment)];
      inList = true;
      continue;
    }
    if (!isRecord(current)) return undefined;
    const found = findKey(current, segment);
    if (found === undefined) return undefined;
    if (!inList) path.push(found);
    current = current[found];
  }
  return current === undefined ? undefined : { value: current, path };
}

function findKey(record: Record<string, unknown>, segment: string): string | undefined {
  if (!isUnsafeKey(segment) && Object.hasOwn(record, segment)) return segment;
  const wanted = fieldKey(segment);
  if (wanted === '') return undefined;
  return Object.keys(record).find((key) => !isUnsafeKey(key) && fieldKey(key) === wanted);
}

/**
 * Applies a rule's transforms in order. One that cannot apply (a date that is not a date)
 * leaves the value as it was, for the field's own check to judge, and says so.
 */
export function applyTransforms(
  value: unknown,
  transforms: readonly FieldTransform[],
): { value: unknown; failed: FieldTransform[] } {
  let current = value;
  const failed: FieldTransform[] = [];
  for (const transform of transforms) {
    const read = readScalar(current);
    if (read.kind !== 'scalar') break;
    const scalar = read.value;
    switch (transform) {
      case 'trim':
      case 'split_full_name':
        current = scalar;
        break;
      case 'lower':
        current = typeof scalar === 'string' ? scalar.toLowerCase() : scalar;
        break;
      case 'upper':
        current = typeof scalar === 'string' ? scalar.toUpperCase() : scalar;
        break;
      case 'parse_date': {
        const parsed = typeof scalar === 'boolean' ? null : parseDate(scalar);
        if (parsed === null) failed.push(transform);
        else current = parsed.iso;
        break;
      }
      case 'parse_money': {
        const money = typeof scalar === 'boolean' ? null : parseMoney(scalar);
        if (money === null) failed.push(transform);
        else current = money;
        break;
      }
      case 'yes_no': {
        const answer = parseYesNo(scalar);
        if (answer === null) failed.push(transform);
        else current = answer;
        break;
      }
    }
  }
  return { value: current, failed };
}

/**
 * For CSV imports: each header's canonical field, or null when unknown. The mapping is
 * consulted first (exact header, then case- and separator-insensitive), then the built-in
 * aliases of every vertical. Each field goes to one column only: when two headers name the
 * same field, the mapped or better-ranked one gets it (as `normalizeLead` would choose) and
 * the other is null.
 */
export function matchColumns(
  headers: readonly string[],
  mapping?: FieldMapping,
): Record<string, CanonicalField | null> {
  const { entries } = mappingEntries(mapping);
  const claims = headers.map((header, index) => {
    const clean = header.replace(/^\ufeff/, '').trim();
    const mapped =
      entries.find((entry) => entry.key === header || entry.key === clean) ??
      entries.find((entry) => fieldKey(entry.key) === fieldKey(clean) && fieldKey(clean) !== '');
    if (mapped) return { header, index, field: mapped.field, rank: -1 };
    const alias = AllAliases.get(fieldKey(clean));
    return alias
      ? { header, index, field: alias.field, rank: alias.rank }
      : { header, index, field: null, rank: 0 };
  });
  const winner = new Map<string, number>();
  for (const claim of [...claims].sort((a, b) => a.rank - b.rank || a.index - b.index)) {
    if (claim.field !== null && !winner.has(claim.field)) winner.set(claim.field, claim.index);
  }
  const result = new Map<string, CanonicalField | null>();
  for (const claim of claims) {
    if (result.has(claim.header)) continue; // a repeated header: its first column answers
    result.set(
      claim.header,
      claim.field !== null && winner.get(claim.field) === claim.index ? claim.field : null,
    );
  }
  return Object.fromEntries(result);
}
