import { isEmail } from 'class-validator';

export const MaxEmailLength = 254;

export type EmailResult = { ok: true; email: string } | { ok: false; rule: 'email_invalid'; reason: string };

/** Trimmed, lower-cased and syntax-checked; `mailto:` and `<...>` around the address are forgiven. */
export function normalizeEmail(raw: string): EmailResult {
  if (raw.length > 4 * MaxEmailLength) return invalid(`is longer than ${MaxEmailLength} characters`);
  const email = raw
    .trim()
    .replace(/^mailto:/i, '')
    .replace(/^<(.*)>$/, '$1')
    .trim()
    .toLowerCase();
  if (email.length > MaxEmailLength) return invalid(`is longer than ${MaxEmailLength} characters`);
  if (!isEmail(email)) return invalid('is not a valid email address');
  return { ok: true, email };
}

function invalid(reason: string): EmailResult {
  return { ok: false, rule: 'email_invalid', reason };
}
