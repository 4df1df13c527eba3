import type { FieldIssue, FieldMapping, FieldMappingRule } from '@leadflow/normalization';
import { matchColumns, validateFieldMapping } from '@leadflow/normalization';

/**
 * How an import reads its rows, fixed when the file is uploaded (what the client was answered is
 * what the worker does): each header's canonical field (`null`: not a canonical field, the value
 * is kept in the lead's `extra`), the headers the client chose to ignore, and the field mapping
 * rows are normalized with (the webhook's, with the client's `columnMapping` on top).
 */
export interface ImportColumns {
  columns: Record<string, string | null>;
  ignored: string[];
  fieldMapping: FieldMapping;
}

/** `columnMapping` as sent: header → canonical field, or null to leave the column out. */
export type ColumnMappingInput = Record<string, string | FieldMappingRule | null>;

export type ColumnsResolution = { ok: true; columns: ImportColumns } | { ok: false; issues: FieldIssue[] };

/** The header named by a `columnMapping` key: exactly, else ignoring case and surrounding spaces. */
function headerFor(headers: readonly string[], key: string): string | undefined {
  if (headers.includes(key)) return key;
  const wanted = key.trim().toLowerCase();
  return headers.find((header) => header.toLowerCase() === wanted);
}

/**
 * Resolves the columns of a file: the webhook's field mapping and the built-in aliases match the
 * headers (`matchColumns`), then `columnMapping` overrides them. Its targets must be canonical
 * fields and its keys headers of the file; problems are named `columnMapping.<header>`.
 */
export function resolveColumns(
  headers: readonly string[],
  webhookMapping: FieldMapping,
  columnMapping: ColumnMappingInput | undefined,
): ColumnsResolution {
  const overrides: FieldMapping = {};
  const ignored: string[] = [];
  const issues: FieldIssue[] = [];
  for (const [key, target] of Object.entries(columnMapping ?? {})) {
    const header = headerFor(headers, key);
    if (header === undefined) {
      issues.push({
        field: `columnMapping.${key}`,
        rule: 'unknown_column',
        message: `the file has no column "${key.slice(0, 60)}"`,
      });
      continue;
    }
    if (target === null) {
      ignored.push(header);
      continue;
    }
    for (const issue of validateFieldMapping({ [header]: target })) {
      issues.push({ ...issue, field: `columnMapping.${key}` });
    }
    overrides[header] = target;
  }
  if (issues.length > 0) return { ok: false, issues };

  // A webhook entry for a header the client overrides or ignores must not compete with it.
  const fieldMapping: FieldMapping = {};
  const taken = new Set([...Object.keys(overrides), ...ignored].map((header) => header.toLowerCase()));
  for (const [key, target] of Object.entries(webhookMapping)) {
    if (!taken.has(key.trim().toLowerCase())) fieldMapping[key] = target;
  }
  Object.assign(fieldMapping, overrides);
  const read = headers.filter((header) => !ignored.includes(header));
  const matched = matchColumns(read, fieldMapping);
  const columns: Record<string, string | null> = {};
  for (const header of headers) {
    if (header === '' || Object.hasOwn(columns, header)) continue;
    columns[header] = ignored.includes(header) ? null : (matched[header] ?? null);
  }
  return { ok: true, columns: { columns, ignored, fieldMapping } };
}

/** Header names a plain object cannot hold as its own keys. */
const UnsafeHeaders: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Builds the body one CSV row is normalized from: header → value (empty values left out, as a
 * vendor leaves out what it does not know), ignored, unnamed and unsafe columns left out.
 */
export function rowReader(
  headers: readonly string[],
  columns: ImportColumns,
): (values: readonly string[]) => Record<string, string> {
  const ignored = new Set(columns.ignored);
  const used = headers
    .map((header, index) => ({ header, index }))
    .filter(({ header }) => header !== '' && !ignored.has(header) && !UnsafeHeaders.has(header));
  return (values) => {
    const body: Record<string, string> = {};
    for (const { header, index } of used) {
      const value = values[index];
      if (value !== undefined && value !== '' && !Object.hasOwn(body, header)) body[header] = value;
    }
    return body;
  };
}
