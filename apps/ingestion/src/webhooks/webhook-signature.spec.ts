import {
  generateWebhookSecret,
  parseSignatureHeader,
  signatureHeader,
  verifySignature,
} from './webhook-signature';

describe('LeadFlow-Signature', () => {
  const secret = generateWebhookSecret();
  const body = Buffer.from('{"firstName":"Ann","phone":"(555) 123-4567"}');
  const now = 1_800_000_000;

  it('accepts a signature made with the secret over t.body within the tolerance', () => {
    const check = verifySignature(signatureHeader(secret, body, now - 299), body, [secret], now, 300);
    expect(check).toMatchObject({ ok: true, timestamp: now - 299 });
  });

  it('takes a timestamp exactly at the tolerance either way', () => {
    for (const t of [now - 300, now + 300]) {
      expect(verifySignature(signatureHeader(secret, body, t), body, [secret], now, 300)).toMatchObject({
        ok: true,
        timestamp: t,
      });
    }
  });

  it('refuses expired and future timestamps', () => {
    expect(verifySignature(signatureHeader(secret, body, now - 301), body, [secret], now, 300)).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(verifySignature(signatureHeader(secret, body, now + 301), body, [secret], now, 300)).toEqual({
      ok: false,
      reason: 'future',
    });
  });

  it('refuses a tampered body and a wrong secret', () => {
    const header = signatureHeader(secret, body, now);
    expect(verifySignature(header, Buffer.from(`${body.toString()} `), [secret], now, 300)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifySignature(header, body, [generateWebhookSecret()], now, 300)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('accepts the previous secret when it is still offered (rotation grace)', () => {
    const next = generateWebhookSecret();
    const header = signatureHeader(secret, body, now);
    expect(verifySignature(header, body, [next, secret], now, 300).ok).toBe(true);
    expect(verifySignature(header, body, [next], now, 300).ok).toBe(false);
  });

  it('parses several v1 values and refuses malformed headers', () => {
    expect(parseSignatureHeader(`t=12,v1=${'a'.repeat(64)},v1=${'B'.repeat(64)}`)).toEqual({
      timestamp: 12,
      signatures: ['a'.repeat(64), 'b'.repeat(64)],
    });
    for (const bad of [
      '',
      't=12',
      `v1=${'a'.repeat(64)}`,
      `t=x,v1=${'a'.repeat(64)}`,
      't=1,v1=zz',
      'garbage',
    ]) {
      expect(parseSignatureHeader(bad)).toBeNull();
      expect(verifySignature(bad, body, [secret], now, 300)).toEqual({ ok: false, reason: 'malformed' });
    }
  });
});
