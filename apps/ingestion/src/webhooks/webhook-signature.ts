import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new webhook signing secret: `whsec_` + 32 random bytes, base64url. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** `v1` of a `LeadFlow-Signature`: hex HMAC-SHA256 of `"<t>.<raw body>"`. */
export function signatureV1(secret: string, timestamp: number, body: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The `LeadFlow-Signature` header value for a body (what vendors and our test stand-ins send). */
export function signatureHeader(
  secret: string,
  body: Buffer | string,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  return `t=${timestamp},v1=${signatureV1(secret, timestamp, body)}`;
}

export interface ParsedSignature {
  timestamp: number;
  signatures: string[];
}

/** Parses `t=<unix>,v1=<hex>[,v1=<hex>...]`; null when malformed. */
export function parseSignatureHeader(header: string): ParsedSignature | null {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== undefined) return null;
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/i.test(value)) return null;
      signatures.push(value.toLowerCase());
    }
  }
  if (timestamp === undefined || signatures.length === 0 || signatures.length > 5) return null;
  return { timestamp, signatures };
}

export type SignatureCheck =
  | { ok: true; signature: string; timestamp: number }
  | { ok: false; reason: 'malformed' | 'expired' | 'future' | 'mismatch' };

/**
 * Checks a `LeadFlow-Signature` against the webhook's valid secrets (current, and the previous one
 * during its grace period) in constant time, within `toleranceSeconds` of `nowSeconds` either way.
 */
export function verifySignature(
  header: string,
  body: Buffer,
  secrets: readonly string[],
  nowSeconds: number,
  toleranceSeconds: number,
): SignatureCheck {
  const parsed = parseSignatureHeader(header);
  if (!parsed) return { ok: false, reason: 'malformed' };
  if (parsed.timestamp < nowSeconds - toleranceSeconds) return { ok: false, reason: 'expired' };
  if (parsed.timestamp > nowSeconds + toleranceSeconds) return { ok: false, reason: 'future' };
  for (const secret of secrets) {
    const expected = Buffer.from(signatureV1(secret, parsed.timestamp, body), 'hex');
    for (const candidate of parsed.signatures) {
      if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) {
        return { ok: true, signature: candidate, timestamp: parsed.timestamp };
      }
    }
  }
  return { ok: false, reason: 'mismatch' };
}
