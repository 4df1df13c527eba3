/** Pure rules for a contact's editable fields: tags, custom fields, and merging two contacts. */

import type { PersonValues } from './person-fields';
import { AddressFields, ReachFields } from './person-fields';

/** The contact's fields a merge may fill from the other contact: its person fields, tags and custom fields. */
export interface ContactFields extends PersonValues {
  tags: string[];
  customFields: Record<string, unknown>;
}

export const MaxTags = 50;
export const MaxTagLength = 50;

export function isBlank(value: string | null | undefined): boolean {
  return value === null || value === undefined || value.trim() === '';
}

/** Trimmed, without empty ones, each once (the first spelling wins, compared case-insensitively). */
export function normalizeTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of tags) {
    const tag = raw.trim();
    const key = tag.toLowerCase();
    if (tag === '' || seen.has(key)) continue;
    seen.add(key);
    out.push(tag);
  }
  return out;
}

/** The target's tags, then the source's the target does not have yet. */
export function unionTags(target: readonly string[], source: readonly string[]): string[] {
  return normalizeTags([...target, ...source]);
}

/**
 * A JSON merge patch (RFC 7396) one level deep: keys in `patch` replace the current ones and a
 * `null` value removes the key.
 */
export function patchCustomFields(
  current: Readonly<Record<string, unknown>>,
  patch: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

function sameStreet(a: string | null, b: string | null): boolean {
  const norm = (s: string | null): string => (s ?? '').trim().replace(/\s+/g, ' ').toLowerCase();
  return norm(a) === norm(b);
}

export interface ContactMerge {
  /** The target's fields after the merge. */
  merged: ContactFields;
  /** Names of the fields of the target that changed. */
  changed: (keyof ContactFields)[];
}

/**
 * Merges `source` into `target`: the target keeps every value it has, and its blank fields are
 * filled from the source. The address is one block: its parts are taken from the source only when
 * the target has no address at all, or the same street (so a street or city of one contact never
 * gets the ZIP of another). Tags are united; custom fields are merged with the target's values winning.
 */
export function mergeContactFields(target: ContactFields, source: ContactFields): ContactMerge {
  const merged: ContactFields = {
    ...target,
    tags: unionTags(target.tags, source.tags),
    customFields: { ...source.customFields, ...target.customFields },
  };
  for (const field of ReachFields) {
    if (isBlank(target[field]) && !isBlank(source[field])) merged[field] = source[field];
  }
  const noAddress = AddressFields.every((field) => isBlank(target[field]));
  if (noAddress || (!isBlank(target.address) && sameStreet(target.address, source.address))) {
    for (const field of AddressFields) {
      if (isBlank(target[field]) && !isBlank(source[field])) merged[field] = source[field];
    }
  }
  const changed = (Object.keys(merged) as (keyof ContactFields)[]).filter(
    (key) => JSON.stringify(merged[key]) !== JSON.stringify(target[key]),
  );
  return { merged, changed };
}
