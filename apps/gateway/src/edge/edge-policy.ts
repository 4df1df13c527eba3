/**
 * Which proxied requests need no access token at the edge. Everything else under `/api/v1` must
 * carry a valid token (or an API key, exchanged for one) before it reaches a service — the services
 * verify the token again themselves.
 */
const ANONYMOUS_API_PATHS: readonly { path: string; prefix: boolean }[] = [
  { path: '/api/v1/auth/register', prefix: false },
  { path: '/api/v1/auth/login', prefix: false },
  { path: '/api/v1/auth/refresh', prefix: false },
  { path: '/api/v1/password-resets', prefix: true },
  { path: '/api/v1/invitations/accept', prefix: true },
];

/** `true` for `/api/v1` paths that need a token; public paths outside `/api/v1` never do. */
export function requiresToken(pathname: string): boolean {
  if (!pathname.startsWith('/api/v1/')) return false;
  const path = pathname.replace(/\/+$/, '');
  return !ANONYMOUS_API_PATHS.some((p) => path === p.path || (p.prefix && path.startsWith(`${p.path}/`)));
}

/** Only API traffic is rate-limited here (vendor webhooks have per-webhook limits in ingestion). */
export function isRateLimited(pathname: string): boolean {
  return pathname.startsWith('/api/v1/');
}
