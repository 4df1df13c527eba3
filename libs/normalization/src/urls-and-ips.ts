import { isIP, isURL } from 'class-validator';

export const MaxUrlLength = 2000;

/**
 * An http(s) URL as sent (trimmed), or null. With `allowBareDomain`, `acme.com` and
 * `www.acme.com/page` are read as `https://...`.
 */
export function normalizeWebUrl(raw: string, options: { allowBareDomain: boolean }): string | null {
  const text = raw.trim();
  if (text.length === 0 || text.length > MaxUrlLength) return null;
  const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(text);
  const candidate = hasScheme
    ? text
    : options.allowBareDomain
      ? `https://${text.replace(/^\/\//, '')}`
      : null;
  if (candidate === null || !URL.canParse(candidate)) return null;
  const ok = isURL(candidate, {
    protocols: ['http', 'https'],
    require_protocol: true,
    require_valid_protocol: true,
    require_tld: true,
    allow_underscores: true,
  });
  return ok ? candidate : null;
}

/** An IPv4 or IPv6 address; of a forwarded list (`a, b`) the first. Null when not an address. */
export function normalizeIp(raw: string): string | null {
  const first = (raw.split(',')[0] ?? '').trim();
  const bare = /^\[(.+)\]$/.exec(first)?.[1] ?? first;
  if (bare.length > 64 || !isIP(bare)) return null;
  return bare.includes(':') ? bare.toLowerCase() : bare;
}

const trustedFormHost = 'cert.trustedform.com';

/**
 * A TrustedForm certificate URL: https on cert.trustedform.com with a certificate id in the
 * path. A bare 40-hex certificate id is turned into its URL. Null otherwise.
 */
export function normalizeTrustedFormCertUrl(raw: string): string | null {
  const text = raw.trim();
  if (/^[0-9a-f]{40}$/i.test(text)) return `https://${trustedFormHost}/${text.toLowerCase()}`;
  if (text.length > MaxUrlLength || !URL.canParse(text)) return null;
  const url = new URL(text);
  const ok = url.protocol === 'https:' && url.hostname === trustedFormHost && url.pathname.length > 1;
  return ok ? text : null;
}

/** A Jornaya (LeadiD) token: letters, digits and dashes, like `ABCDEF12-3456-7890-ABCD-EF1234567890`. */
export function normalizeJornayaLeadId(raw: string): string | null {
  const text = raw.trim();
  return /^[A-Za-z0-9-]{8,100}$/.test(text) ? text : null;
}
