import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DomainError } from '@leadflow/platform/errors';

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

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only tells that there is a next page.
 */
export function toPage<T>(
  rows: T[],
  limit: number,
  positionOf: (row: T) => CursorPosition,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(positionOf(last)) : null };
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
