import type { UpstreamService } from './route-table';
import { API_RESOURCES, UPSTREAM_SERVICES, matchRoute, pathSegments } from './route-table';

const expected: Record<UpstreamService, string[]> = {
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
const everyResource = Object.entries(expected).flatMap(([service, resources]) =>
  resources.map((resource) => [resource, service] as const),
);

describe('matchRoute', () => {
  it('knows exactly the seven services and their resources', () => {
    expect([...UPSTREAM_SERVICES].sort()).toEqual(Object.keys(expected).sort());
    for (const service of UPSTREAM_SERVICES)
      expect([...API_RESOURCES[service]].sort()).toEqual([...expected[service]].sort());
  });

  it.each(everyResource)(
    'routes /api/v1/%s to %s, with or without a sub-path and query',
    (resource, service) => {
      expect(matchRoute(`/api/v1/${resource}`)).toEqual({ kind: 'upstream', service });
      expect(matchRoute(`/api/v1/${resource}/`)).toEqual({ kind: 'upstream', service });
      expect(matchRoute(`/api/v1/${resource}/0192f1d2-8c4e-7b3a-9f00-1234567890ab/notes?limit=5`)).toEqual({
        kind: 'upstream',
        service,
      });
      expect(matchRoute(`/api/v1/${resource}?cursor=abc&x=/api/v1/auth`)).toEqual({
        kind: 'upstream',
        service,
      });
    },
  );

  it.each([
    ['/webhooks/leads/0192f1d2-8c4e-7b3a-9f00-1234567890ab', 'ingestion'],
    ['/webhooks', 'ingestion'],
    ['/t/o/tok123', 'campaigns'],
    ['/t/c/tok123?u=https%3A%2F%2Fexample.com', 'campaigns'],
    ['/u/tok123', 'campaigns'],
    ['/callbacks/voice/twilio', 'voice'],
    ['/.well-known/jwks.json', 'identity'],
    ['/.well-known/jwks.json?v=2', 'identity'],
  ])('routes the public path %s to %s', (path, service) => {
    expect(matchRoute(path)).toEqual({ kind: 'upstream', service });
  });

  it.each([
    '/api/v1/x',
    '/api/v1/nope/leads',
    '/api/v1',
    '/api/v1/',
    '/api/v1/Leads',
    '/api/v1/%6ceads',
    '/api/v1/leads-x',
  ])('answers unknown_api for %s', (path) => {
    expect(matchRoute(path)).toEqual({ kind: 'unknown_api' });
  });

  it.each([
    '/',
    '/healthz',
    '/readyz',
    '/metrics',
    '/docs',
    '/docs/identity/openapi.json',
    '/openapi.json',
    '/api/v2/leads',
    '/tx/o/1',
    '/users',
    '/webhooksx',
    '/.well-known/other',
    '/.well-known/jwks.json/x',
  ])('leaves %s to the gateway itself', (path) => {
    expect(matchRoute(path)).toEqual({ kind: 'local' });
  });

  it.each([
    '/api/v1/../x',
    '/api/v1/leads/../../admin',
    '/api/v1/leads/./x',
    '/api/v1/leads/%2e%2e/x',
    '/api/v1/leads/%2E%2e/x',
    '/api/v1/leads/.%2e',
    '/api/v1/leads%2f..%2fx',
    '/api/v1/leads/a%2Fb',
    '/api/v1/leads/a%5cb',
    '/api/v1/leads\\..\\x',
    '/api/v1//leads',
    '/api/v1/leads/%zz',
    '/api/v1/leads/a%00b',
    '/webhooks/../api/v1/leads',
    '/../api/v1/leads',
    'http://evil.example/api/v1/leads',
    '*',
  ])('refuses the path %s instead of forwarding it', (path) => {
    expect(matchRoute(path)).toEqual({ kind: 'invalid_path', reason: expect.any(String) });
  });
});

describe('pathSegments', () => {
  it('splits a clean path and keeps one trailing empty segment', () => {
    expect(pathSegments('/api/v1/leads/')).toEqual(['api', 'v1', 'leads', '']);
    expect(pathSegments('/.well-known/jwks.json')).toEqual(['.well-known', 'jwks.json']);
  });

  it('names the reason a path is refused', () => {
    expect(pathSegments('/a/../b')).toEqual({ invalid: 'the path contains a dot segment' });
    expect(pathSegments('/a//b')).toEqual({ invalid: 'the path contains an empty segment' });
  });
});
