/**
 * Masks personal data and secrets in log payloads: e-mail addresses and phone numbers inside
 * strings, and whole values under keys that name a secret. Logs never carry them in clear.
 */
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// Ten to fifteen digits (E.164 and national formats), optionally with + and separators.
const PHONE = /(?<![\w-])\+?\d(?:[\d\s().-]{5,}\d)(?![\w-])/g;
const SECRET_KEY =
  /^(password|passwd|secret|token|access_?token|refresh_?token|api_?key|authorization|cookie|set-cookie|x-api-key|x-provider-key|private_?key|client_?secret|signature|leadflow-signature)$/i;
const PERSONAL_KEY = /^(email|phone|mobile|cell|ssn|date_?of_?birth|dob)$/i;

export const REDACTED = '[redacted]';

export function redactText(text: string): string {
  return text
    .replace(EMAIL, '[email]')
    .replace(PHONE, (m) => (m.replace(/\D/g, '').length >= 10 ? '[phone]' : m));
}

export function redactPersonalData(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactPersonalData(v, depth + 1));
  // Only plain data is walked: errors, and the live request/response objects pino-http hands over
  // (their serializers shape and redact them), would otherwise be copied graph-deep on every line.
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) || PERSONAL_KEY.test(key) ? REDACTED : redactPersonalData(v, depth + 1);
  }
  return out;
}
