/**
 * How much of a refused post's body the request log keeps (enough to see why a lead was refused);
 * a 401's body is not kept at all: its sender is unknown, and it must not be able to fill the log.
 */
export const REFUSED_BODY_KEEP_BYTES = 8 * 1024;

/** The first `max` bytes of `body`, cut back to a whole UTF-8 character. */
export function truncatedBody(body: Buffer, max: number): Buffer {
  if (body.length <= max) return body;
  let end = max;
  // Back off continuation bytes (10xxxxxx), so a text body stays valid UTF-8.
  while (end > 0 && (body[end] & 0xc0) === 0x80) end--;
  return body.subarray(0, end);
}
