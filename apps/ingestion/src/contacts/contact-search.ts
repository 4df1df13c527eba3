/** How the contact list's free-text and phone filters are read. */

/** A `LIKE`/`ILIKE` pattern matching `text` anywhere, its wildcards taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Looks like (part of) a dialled number: digits and the usual separators only. */
const phoneLike = /^[\d\s().+\-/]+$/;

/**
 * The digits of a search text that looks like (part of) a phone number, whatever its format
 * (`(555) 123-4567`, `555.123.4567`, `+1 555 123 4567`); null for other text or fewer than 3 digits.
 * Stored phones are E.164, so these digits are searched as a substring of them.
 */
export function phoneSearchDigits(q: string): string | null {
  const text = q.trim();
  if (!phoneLike.test(text)) return null;
  const digits = text.replace(/\D/g, '');
  return digits.length >= 3 ? digits : null;
}

/**
 * The E.164 numbers a phone filter in any format may mean (stored phones are E.164; national
 * numbers are read as North American): `(555) 123-4567` → `+15551234567`, `0044 20 7946 0958`
 * → `+442079460958`. Empty when it has no digits.
 */
export function phoneFilterCandidates(raw: string): string[] {
  const text = raw.trim();
  let digits = text.replace(/\D/g, '');
  if (digits.length === 0) return [];
  if (text.startsWith('+')) return [`+${digits}`];
  if (digits.startsWith('00')) {
    digits = digits.slice(2);
    return digits.length > 0 ? [`+${digits}`] : [];
  }
  if (digits.length === 10) return [`+1${digits}`];
  if (digits.length === 11 && digits.startsWith('1')) return [`+${digits}`];
  return [`+${digits}`, `+1${digits}`];
}
