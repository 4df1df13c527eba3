import type { Page } from '@leadflow/contracts';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DomainError } from '@leadflow/platform/errors';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

/** Position after the last row of a page, ordered by (created_at, id). */
export interface CursorPosition {
  createdAt: string;
  id: string;
}

/**
 * A cursor this API did not issue (tampered, truncated, from another list): 400 naming `cursor`,
 * never a database error.
 */
export class InvalidCursorError extends DomainError {
  constructor() {
    super('bad_request', 'invalid_cursor', 'The cursor is not one this API issued', {
      fieldErrors: [
        { field: 'cursor', rule: 'isCursor', message: 'cursor must be a value returned as nextCursor' },
      ],
    });
  }
}

/** A UUID in canonical form, any RFC 9562 version (ids are UUIDv7; rows made in SQL may be v4). */
export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
/** What `Date.prototype.toISOString` writes for years 0001–9999 (PostgreSQL has no year 0). */
const isoInstantPattern = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Whether `value` is an instant as `encodeCursor` writes it: a real date, not merely a parsable one. */
function isCursorInstant(value: string): boolean {
  if (!isoInstantPattern.test(value)) return false;
  const time = Date.parse(value);
  // Round-tripping refuses what the pattern lets through but the calendar does not (02-30, 24:00).
  return !Number.isNaN(time) && new Date(time).toISOString() === value;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

/**
 * The position a cursor stands for; anything `encodeCursor` would not have written (so anything
 * PostgreSQL could refuse as a uuid or timestamptz) throws `InvalidCursorError`.
 */
export function decodeCursor(cursor: string): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (
    Array.isArray(parsed) &&
    parsed.length === 2 &&
    typeof parsed[0] === 'string' &&
    typeof parsed[1] === 'string' &&
    isCursorInstant(parsed[0]) &&
    uuidPattern.test(parsed[1])
  ) {
    return { createdAt: parsed[0], id: parsed[1] };
  }
  throw new InvalidCursorError();
}

/** Turns `limit + 1` fetched rows into a page whose cursor `cursorOf` writes for its last row. */
function pageWith<T>(rows: T[], limit: number, cursorOf: (row: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? cursorOf(last) : null };
}

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only tells that there is a next page.
 */
export function toPage<T>(rows: T[], limit: number, positionOf: (row: T) => CursorPosition): Page<T> {
  return pageWith(rows, limit, (row) => encodeCursor(positionOf(row)));
}

/** Which page a list is asked for: `limit` rows after `cursor` (absent: the first page). */
export interface PageRequest {
  limit: number;
  cursor?: string;
}

export type KeysetDirection = 'ASC' | 'DESC';

/** The properties of `T` that hold a `Date` (what a keyset list may be ordered by, then by id). */
export type DateProperty<T> = { [K in keyof T]-?: T[K] extends Date ? K : never }[keyof T] & string;

/**
 * A list's key other than (instant, id), e.g. (workspace, position, id): the properties it orders
 * by before `id`, how a row's position is written as a cursor, and the values (those properties',
 * then the id) a cursor stands for, throwing `InvalidCursorError` for one it did not write.
 */
export interface KeysetKey<T> {
  columns: readonly (keyof T & string)[];
  encode(row: T): string;
  decode(cursor: string): readonly unknown[];
}

/**
 * The order of a keyset list: `column` (default `createdAt`; DESC, the default: newest first), then
 * `id` the same way; or a `key` of its own (then no `column`).
 */
export type KeysetOrder<T> =
  | { column?: DateProperty<T>; direction?: KeysetDirection; key?: never }
  | { key: KeysetKey<T>; direction?: KeysetDirection; column?: never };

function instantOf(row: object, column: string): string {
  const value: unknown = (row as Record<string, unknown>)[column];
  if (!(value instanceof Date)) throw new TypeError(`keyset column ${column} is not a date`);
  return value.toISOString();
}

function positionIn(row: object, column: string): CursorPosition {
  return { createdAt: instantOf(row, column), id: String((row as Record<string, unknown>).id) };
}

/** The (instant, id) key of `column`: the cursor `encodeCursor` writes. */
function instantKey<T>(column: string): KeysetKey<T> {
  return {
    columns: [column as keyof T & string],
    encode: (row) => encodeCursor(positionIn(row as object, column)),
    decode: (cursor) => {
      const position = decodeCursor(cursor);
      return [position.createdAt, position.id];
    },
  };
}

/**
 * The one keyset list of TypeORM queries: applies the cursor (rows after it in the list's order),
 * orders by (`alias.column`, `alias.id`), fetches `limit + 1` rows, and answers the page with the
 * cursor of its last row. A cursor this API did not issue throws `InvalidCursorError` (400).
 */
export async function keysetPage<T extends ObjectLiteral & { id: string }>(
  query: SelectQueryBuilder<T>,
  alias: string,
  page: PageRequest,
  order: KeysetOrder<T> = {},
): Promise<Page<T>> {
  const key = order.key ?? instantKey<T>(order.column ?? 'createdAt');
  const direction = order.direction ?? 'DESC';
  const columns = [...key.columns, 'id'].map((column) => `${alias}.${column}`);
  if (page.cursor !== undefined) {
    const values = key.decode(page.cursor);
    if (values.length !== columns.length) throw new InvalidCursorError();
    const names = values.map((_value, n) => `keyset${n}`);
    query.andWhere(
      `(${columns.join(', ')}) ${direction === 'ASC' ? '>' : '<'} (${names.map((n) => `:${n}`).join(', ')})`,
      Object.fromEntries(names.map((n, i) => [n, values[i]])),
    );
  }
  query.orderBy(columns[0], direction);
  for (const column of columns.slice(1)) query.addOrderBy(column, direction);
  const rows = await query.take(page.limit + 1).getMany();
  return pageWith(rows, page.limit, (row) => key.encode(row));
}

/** The pieces of a keyset list written as SQL text (see `keysetSql`). */
export interface KeysetSql {
  /** The cursor's condition (AND it into the WHERE), or null on the first page. */
  condition: string | null;
  /** `ORDER BY column, id LIMIT $n` (limit + 1 rows). */
  orderAndLimit: string;
  /** The page of the rows the statement returned. */
  page<R extends { id: string }>(rows: R[]): Page<R>;
}

/**
 * `keysetPage` for a statement written as SQL text: the same cursor, order and page, with the
 * cursor's values and the limit appended to `params` (placeholders `$n` after the caller's).
 */
export function keysetSql(
  page: PageRequest,
  order: { column: string; direction: KeysetDirection },
  params: unknown[],
): KeysetSql {
  const { column, direction } = order;
  let condition: string | null = null;
  if (page.cursor !== undefined) {
    const position = decodeCursor(page.cursor);
    params.push(position.createdAt, position.id);
    condition = `(${column}, id) ${direction === 'ASC' ? '>' : '<'} ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
  }
  params.push(page.limit + 1);
  return {
    condition,
    orderAndLimit: `ORDER BY ${column} ${direction}, id ${direction} LIMIT $${params.length}`,
    page: (rows) => toPage(rows, page.limit, (row) => positionIn(row, column)),
  };
}

/** A page with each item mapped (entity → view); the cursor stays. */
export function pageOf<T, V>(page: Page<T>, mapper: (item: T) => V): Page<V> {
  return { items: page.items.map((item) => mapper(item)), nextCursor: page.nextCursor };
}

/** The query of every list endpoint: `limit` (1–200, default 50) and `cursor`. Extend it for filters. */
export class PageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit = DEFAULT_PAGE_SIZE;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}
