/** Now, at millisecond precision (what JS and cursors carry), so pagination never skips a row. */
export function nowMs(): Date {
  return new Date(Date.now());
}
