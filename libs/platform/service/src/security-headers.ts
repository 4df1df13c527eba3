import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Headers on every answer of every service and of the gateway: the platform answers JSON,
 * problem+json, CSV and redirects, never pages to frame or scripts to run, so browsers are told
 * not to sniff content types, not to frame it, to load nothing from an API answer, and to send
 * no referrer onwards (tracking links carry tokens in their paths).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/**
 * The policy of the Swagger UI at `/docs`: its own scripts, styles and images only (the UI's
 * bundle, its init script and the documents it fetches are served from `/docs`), never framed.
 * Swagger UI sets inline styles on its elements, hence `'unsafe-inline'` for styles alone.
 */
export const DOCS_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const DOCS_PATH = /^\/docs(?:[/?#.-]|$)/;

/** Sets the security headers on an answer before anything writes it (a later header of the same name wins). */
export function applySecurityHeaders(req: IncomingMessage, res: ServerResponse): void {
  for (const name in SECURITY_HEADERS) res.setHeader(name, SECURITY_HEADERS[name]);
  if (DOCS_PATH.test(req.url ?? '')) res.setHeader('content-security-policy', DOCS_CONTENT_SECURITY_POLICY);
}

/** {@link applySecurityHeaders} as Express middleware. */
export function securityHeadersMiddleware(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  applySecurityHeaders(req, res);
  next();
}
