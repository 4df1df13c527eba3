import { statusOfKind } from '@leadflow/platform/errors';
import { InvalidCursorError, decodeCursor, encodeCursor, keysetSql, pageOf, toPage } from './pagination';

const cursorOf = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const id = '0192f1d2-8c4e-7b3a-9f00-1234567890ab';
const at = '2026-11-23T10:00:00.000Z';

describe('cursor pagination', () => {
  it('round-trips a position', () => {
    const position = { createdAt: at, id };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it('accepts any UUID version (rows written in SQL get v4 ids) and the first and last years', () => {
    const v4 = '3f2b6c1e-9d4a-4e8b-a1c2-0d9e8f7a6b5c';
    expect(decodeCursor(cursorOf([at, v4]))).toEqual({ createdAt: at, id: v4 });
    for (const instant of ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
      expect(decodeCursor(cursorOf([instant, id])).createdAt).toBe(instant);
    }
  });

  it.each([
    ['empty', ''],
    ['not base64 JSON', 'garbage'],
    ['tampered base64', `${encodeCursor({ createdAt: at, id }).slice(0, -6)}~~!!`],
    ['truncated base64', encodeCursor({ createdAt: at, id }).slice(0, 20)],
    ['an object', cursorOf({ a: 1 })],
    ['wrong arity', cursorOf([at, id, 'extra'])],
    ['not strings', cursorOf([Date.parse(at), id])],
  ])('refuses a cursor it did not issue: %s', (_case, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(InvalidCursorError);
  });

  it.each([
    ['not a UUID', 'y'],
    ['a UUID with a stray character', `${id}x`],
    ['a UUID without hyphens', id.replace(/-/g, '')],
    ['a UUID in braces', `{${id}}`],
    ['a UUID with a non-hex digit', id.replace('a', 'g')],
    ['SQL', "' OR 1=1 --"],
  ])('refuses a wrong id: %s', (_case, wrongId) => {
    expect(() => decodeCursor(cursorOf([at, wrongId]))).toThrow(InvalidCursorError);
  });

  it.each([
    ['a word', 'x'],
    ['a parsable non-ISO date', 'Mon, 23 Nov 2026 10:00:00 GMT'],
    ['a bare number', '1'],
    ['a date without time', '2026-11-23'],
    ['an offset instead of Z', '2026-11-23T10:00:00.000+01:00'],
    ['no milliseconds', '2026-11-23T10:00:00Z'],
    ['a day the calendar lacks', '2026-02-30T10:00:00.000Z'],
    ['hour 24', '2026-11-23T24:00:00.000Z'],
    ['year 0 (PostgreSQL has none)', '0000-01-01T00:00:00.000Z'],
    ['a huge year', '+275760-09-13T00:00:00.000Z'],
    ['a five-digit year', '10000-01-01T00:00:00.000Z'],
    ['a negative year', '-000001-01-01T00:00:00.000Z'],
  ])('refuses a wrong date: %s', (_case, wrongAt) => {
    expect(() => decodeCursor(cursorOf([wrongAt, id]))).toThrow(InvalidCursorError);
  });

  it('is a 400 problem naming the cursor', () => {
    const error = new InvalidCursorError();
    expect(statusOfKind[error.kind]).toBe(400);
    expect(error).toMatchObject({
      code: 'invalid_cursor',
      fieldErrors: [expect.objectContaining({ field: 'cursor', rule: 'isCursor' })],
    });
  });

  it('answers nextCursor only when a row beyond the limit was fetched', () => {
    const rows = [1, 2, 3].map((n) => ({
      id: `0192f1d2-8c4e-7b3a-9f00-00000000000${n}`,
      createdAt: `2026-01-0${n}T00:00:00.000Z`,
    }));
    const full = toPage(rows, 2, (r) => r);
    expect(full.items.map((r) => r.createdAt)).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-02T00:00:00.000Z',
    ]);
    expect(decodeCursor(full.nextCursor as string)).toEqual(rows[1]);
    expect(toPage(rows, 3, (r) => r).nextCursor).toBeNull();
  });

  describe('keysetSql (lists written as SQL text)', () => {
    it('on the first page: no condition, order by (column, id) and limit + 1 after the caller’s params', () => {
      const params: unknown[] = ['orders'];
      const keyset = keysetSql({ limit: 2 }, { column: 'failed_at', direction: 'ASC' }, params);
      expect(keyset.condition).toBeNull();
      expect(keyset.orderAndLimit).toBe('ORDER BY failed_at ASC, id ASC LIMIT $2');
      expect(params).toEqual(['orders', 3]);
    });

    it.each([
      ['ASC', '>'],
      ['DESC', '<'],
    ] as const)('after a cursor (%s): rows past its position, its values as params', (direction, op) => {
      const params: unknown[] = ['orders'];
      const cursor = encodeCursor({ createdAt: at, id });
      const keyset = keysetSql({ limit: 5, cursor }, { column: 'failed_at', direction }, params);
      expect(keyset.condition).toBe(`(failed_at, id) ${op} ($2::timestamptz, $3::uuid)`);
      expect(keyset.orderAndLimit).toBe(`ORDER BY failed_at ${direction}, id ${direction} LIMIT $4`);
      expect(params).toEqual(['orders', at, id, 6]);
    });

    it('refuses a tampered cursor', () => {
      const cursor = `${encodeCursor({ createdAt: at, id }).slice(0, -6)}~~!!`;
      expect(() => keysetSql({ limit: 5, cursor }, { column: 'failed_at', direction: 'ASC' }, [])).toThrow(
        InvalidCursorError,
      );
    });

    it('pages the rows by the column it orders by (ties on it told apart by id)', () => {
      const rows = ['a', 'b', 'c'].map((n) => ({
        id: `0192f1d2-8c4e-7b3a-9f00-00000000000${n}`,
        failed_at: new Date(at),
      }));
      const page = keysetSql({ limit: 2 }, { column: 'failed_at', direction: 'ASC' }, []).page(rows);
      expect(page.items).toEqual(rows.slice(0, 2));
      expect(decodeCursor(page.nextCursor as string)).toEqual({ createdAt: at, id: rows[1].id });
    });
  });

  it('pageOf maps the items and keeps the cursor', () => {
    expect(pageOf({ items: [1, 2], nextCursor: 'next' }, (n) => n * 10)).toEqual({
      items: [10, 20],
      nextCursor: 'next',
    });
  });
});
