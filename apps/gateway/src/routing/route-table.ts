import type { ServiceName } from '@leadflow/contracts';
import { ServiceNames } from '@leadflow/contracts';

/**
 * The gateway's one routing table: which service owns each public path. Pure data and a pure
 * matcher; the proxy forwards a matched path unchanged (services serve `/api/v1/...` themselves).
 */

/** The services behind the gateway: every service that owns a schema. */
export const UPSTREAM_SERVICES = ServiceNames;

export type UpstreamService = ServiceName;

/** `/api/v1/<resource>[/...]` is owned by the service listing `<resource>`. */
export const API_RESOURCES: Readonly<Record<UpstreamService, readonly string[]>> = {
  identity: [
    'auth',
    'me',
    'organizations',
    'workspaces',
    'members',
    'invitations',
    'api-keys',
    'audit-log',
    'password-resets',
  ],
  ingestion: ['webhooks', 'providers', 'leads', 'contacts', 'imports', 'pipeline-stages', 'exports'],
  enrichment: ['enrichment', 'skip-traces', 'verifications', 'scoring-models', 'scores'],
  campaigns: [
    'campaigns',
    'templates',
    'sequences',
    'enrollments',
    'messages',
    'senders',
    'suppressions',
    'schedules',
    'custom-variables',
  ],
  voice: ['voice-agents', 'calls', 'call-queue', 'calling-windows'],
  routing: [
    'routing-rules',
    'assignments',
    'delivery-endpoints',
    'deliveries',
    'appointments',
    'conversions',
  ],
  analytics: ['analytics'],
};

export interface PublicRoute {
  /** `prefix`: the path itself and everything below it; `exact`: only the path itself. */
  match: 'prefix' | 'exact';
  path: string;
  service: UpstreamService;
}

/** Routes outside `/api/v1` that vendors, e-mail recipients and providers call. */
export const PUBLIC_ROUTES: readonly PublicRoute[] = [
  { match: 'prefix', path: '/webhooks', service: 'ingestion' },
  { match: 'prefix', path: '/t', service: 'campaigns' },
  { match: 'prefix', path: '/u', service: 'campaigns' },
  { match: 'prefix', path: '/callbacks', service: 'voice' },
  { match: 'exact', path: '/.well-known/jwks.json', service: 'identity' },
];

export type RouteMatch =
  /** Forward to this service. */
  | { kind: 'upstream'; service: UpstreamService }
  /** Under `/api/v1` but no service owns it: 404. */
  | { kind: 'unknown_api' }
  /** Dot segments, encoded separators, empty segments...: refused (400), never forwarded. */
  | { kind: 'invalid_path'; reason: string }
  /** Not a proxied path: the gateway's own routes (`/healthz`, `/readyz`, `/docs`, `/metrics`). */
  | { kind: 'local' };

function buildResourceOwners(): ReadonlyMap<string, UpstreamService> {
  const owners = new Map<string, UpstreamService>();
  for (const service of UPSTREAM_SERVICES) {
    for (const resource of API_RESOURCES[service]) {
      const other = owners.get(resource);
      if (other)
        throw new Error(`route table: /api/v1/${resource} is listed by both ${other} and ${service}`);
      owners.set(resource, service);
    }
  }
  return owners;
}

const RESOURCE_OWNERS = buildResourceOwners();

/**
 * Splits a path into its segments (without the leading empty one), or answers why it is refused.
 * A path that upstream code or an intermediary could normalize into another path is refused:
 * `.`/`..` segments (also percent-encoded), encoded `/` or `\`, a raw `\`, NUL, and empty
 * segments other than one trailing slash.
 */
export function pathSegments(path: string): string[] | { invalid: string } {
  if (!path.startsWith('/')) return { invalid: 'the request target must be an absolute path' };
  if (path.includes('\\')) return { invalid: 'the path contains a backslash' };
  const segments = path.slice(1).split('/');
  for (let i = 0; i < segments.length; i += 1) {
    const raw = segments[i];
    if (raw === '') {
      if (i === segments.length - 1) continue;
      return { invalid: 'the path contains an empty segment' };
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return { invalid: 'the path contains a malformed percent-encoding' };
    }
    if (decoded === '.' || decoded === '..') return { invalid: 'the path contains a dot segment' };
    if (/[/\\\0]/.test(decoded)) return { invalid: 'the path contains an encoded separator or NUL' };
  }
  return segments;
}

/** Which service (if any) serves a request target (`/path?query`). */
export function matchRoute(target: string): RouteMatch {
  const path = target.split('?', 1)[0];
  const segments = pathSegments(path);
  if (!Array.isArray(segments)) return { kind: 'invalid_path', reason: segments.invalid };

  if (segments[0] === 'api' && segments[1] === 'v1') {
    const owner = RESOURCE_OWNERS.get(segments[2] ?? '');
    return owner ? { kind: 'upstream', service: owner } : { kind: 'unknown_api' };
  }
  for (const route of PUBLIC_ROUTES) {
    const matches =
      route.match === 'exact'
        ? path === route.path
        : path === route.path || path.startsWith(`${route.path}/`);
    if (matches) return { kind: 'upstream', service: route.service };
  }
  return { kind: 'local' };
}
