import { InvalidCursorError, decodeCursor, encodeCursor, toPage } from './pagination';

describe('cursor pagination', () => {
  it('round-trips a position', () => {
    const position = { createdAt: '2026-11-23T10:00:00.000Z', id: '0192f1d2-8c4e-7b3a-9f00-1234567890ab' };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each([
    '',
    'garbage',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('["x","y"]').toString('base64url'),
  ])('refuses a cursor it did not issue: %s', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(InvalidCursorError);
  });

  it('answers nextCursor only when a row beyond the limit was fetched', () => {
    const rows = [1, 2, 3].map((n) => ({ id: String(n), createdAt: `2026-01-0${n}T00:00:00.000Z` }));
    const full = toPage(rows, 2, (r) => r);
    expect(full.items.map((r) => r.id)).toEqual(['1', '2']);
    expect(decodeCursor(full.nextCursor as string)).toEqual({
      id: '2',
      createdAt: '2026-01-02T00:00:00.000Z',
    });
    expect(toPage(rows, 3, (r) => r).nextCursor).toBeNull();
  });
});
