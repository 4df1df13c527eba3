import {
  BODIES,
  FIXTURES,
  MATRIX_ROLES,
  allowedProbe,
  collectionOf,
  fill,
  keyMay,
  operationsOf,
  personMay,
  policyGaps,
  policyOf,
} from './access-matrix';
import type { Policy, RouteRule } from './access-policy';
import { ACCESS_POLICY } from './access-policy';

describe('access matrix helpers', () => {
  const document = {
    paths: {
      '/api/v1/workspaces/{id}': {
        get: { parameters: [{ name: 'id', in: 'path' }] },
        patch: { parameters: [{ name: 'id', in: 'path' }], requestBody: {} },
        delete: { parameters: [{ name: 'id', in: 'path' }] },
      },
      '/api/v1/auth/login': { post: { requestBody: {} } },
    },
  };
  const policy: Record<string, Record<string, Policy>> = {
    identity: {
      'GET /api/v1/workspaces/{id}': { people: 'agent', keys: ['workspaces:read'], tenancy: 'workspace' },
      'PATCH /api/v1/workspaces/{id}': { people: 'admin', keys: false, tenancy: 'workspace' },
      'POST /api/v1/auth/login': 'public',
      'GET /api/v1/gone': 'public',
    },
  };

  it('reads each operation, its path parameters and whether it takes a body', () => {
    const ops = operationsOf('identity', document);
    expect(ops).toHaveLength(4);
    expect(ops[0]).toEqual({
      service: 'identity',
      method: 'GET',
      path: '/api/v1/workspaces/{id}',
      pathParams: ['id'],
      hasBody: false,
    });
    expect(ops[1].hasBody).toBe(true);
  });

  it('finds each route’s hand-written row and fails on a route without one and a row without a route', () => {
    const ops = operationsOf('identity', document);
    expect(policyOf(ops[3], policy)).toBe('public');
    expect(policyGaps(ops, policy)).toEqual([
      'identity DELETE /api/v1/workspaces/{id}: no row in tools/e2e/access-policy.ts',
      'identity GET /api/v1/gone: a policy row for a route the service does not serve',
    ]);
  });

  it('allows people by the rank the row names and keys by its scopes', () => {
    const read = policy.identity['GET /api/v1/workspaces/{id}'] as RouteRule;
    const patch = policy.identity['PATCH /api/v1/workspaces/{id}'] as RouteRule;
    expect(MATRIX_ROLES).toEqual(['owner', 'admin', 'manager', 'agent']);
    expect(MATRIX_ROLES.map((role) => personMay(read, role))).toEqual([true, true, true, true]);
    expect(MATRIX_ROLES.map((role) => personMay(patch, role))).toEqual([true, true, false, false]);
    expect(keyMay(read, ['workspaces:read', 'leads:read'])).toBe(true);
    expect(keyMay(read, ['leads:read'])).toBe(false);
    expect(keyMay(patch, ['workspaces:manage'])).toBe(false);
  });

  it('proves access with a probe that changes nothing', () => {
    const [get, patch, del] = operationsOf('identity', document);
    expect(allowedProbe(get)).toEqual({ target: 'fixture', statuses: [200] });
    expect(allowedProbe(patch)).toEqual({ target: 'fixture', statuses: [400, 415, 422] });
    expect(allowedProbe(del)).toEqual({ target: 'unknown', statuses: [404] });
  });

  it('finds the collection of a parameter and fills it', () => {
    expect(collectionOf('/api/v1/api-keys/{id}')).toBe('api-keys');
    expect(collectionOf('/api/v1/leads/{id}/notes')).toBe('leads');
    expect(fill('/api/v1/leads/{id}/notes', 'x')).toBe('/api/v1/leads/x/notes');
    // A nested route: each parameter's collection, and its ids in order.
    expect(collectionOf('/api/v1/webhooks/{id}/requests/{requestId}')).toBe('webhooks/requests');
    expect(fill('/api/v1/webhooks/{id}/requests/{requestId}', 'w,r')).toBe('/api/v1/webhooks/w/requests/r');
    expect(fill('/api/v1/webhooks/{id}/requests/{requestId}', 'w')).toBe('/api/v1/webhooks/w/requests/w');
  });

  it('keeps fixtures by collection, bodies by "<METHOD> <path>", and a fixture for every list it checks', () => {
    expect(Object.keys(FIXTURES)).toEqual(expect.arrayContaining(['workspaces', 'members', 'api-keys']));
    for (const key of Object.keys(BODIES)) expect(key).toMatch(/^(POST|PUT|PATCH|DELETE) \/\S*\{[^}]+\}/);
    for (const rows of Object.values(ACCESS_POLICY))
      for (const rule of Object.values(rows))
        if (typeof rule === 'object')
          for (const shown of rule.shows ?? []) expect(FIXTURES).toHaveProperty([shown]);
  });
});
