import { truncatedBody } from './request-body';

describe('truncatedBody', () => {
  it('keeps a body within the limit whole', () => {
    const body = Buffer.from('{"firstName":"Ann"}');
    expect(truncatedBody(body, 1024)).toBe(body);
  });

  it('cuts a longer body to the limit, back to a whole UTF-8 character', () => {
    const body = Buffer.from('ab✓cd', 'utf8'); // ✓ is 3 bytes: a b [e2 9c 93] c d
    expect(truncatedBody(body, 4).toString('utf8')).toBe('ab');
    expect(truncatedBody(body, 5).toString('utf8')).toBe('ab✓');
    expect(truncatedBody(Buffer.alloc(100_000, 0x61), 8192)).toHaveLength(8192);
  });
});
