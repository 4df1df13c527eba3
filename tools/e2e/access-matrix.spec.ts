import {
  BODIES,
  FIXTURES,
  MATRIX_ROLES,
  collectionOf,
  fill,
  operationsOf,
  refuses,
  roleMayCall,
} from './access-matrix';

describe('access matrix helpers', () => {
  const document = {
    paths: {
      '/api/v1/workspaces/{id}': {
        get: { 'x-leadflow-scopes': ['workspaces:read' as const], parameters: [{ name: 'id', in: 'path' }] },
        patch: { 'x-leadflow-scopes': ['workspaces:manage' as const], 'x-leadflow-role': 'admin' as const },
      },
      '/api/v1/auth/login': { post: { 'x-leadflow-public': true } },
    },
  };

  it('reads each operation and its declared rule', () => {
    const ops = operationsOf('identity', document);
    expect(ops).toHaveLength(3);
    expect(ops[0]).toEqual({
      service: 'identity',
      method: 'GET',
      path: '/api/v1/workspaces/{id}',
      public: false,
      operator: false,
      scopes: ['workspaces:read'],
      pathParams: ['id'],
    });
    expect(ops[2].public).toBe(true);
  });

  it('decides refusals from role rank and scopes', () => {
    const [get, patch] = operationsOf('identity', document);
    expect(refuses(get, { role: 'agent', scopes: ['workspaces:read'] })).toBe(false);
    expect(refuses(get, { role: 'owner', scopes: [] })).toBe(true);
    expect(refuses(patch, { role: 'manager', scopes: ['workspaces:manage'] })).toBe(true);
    expect(refuses(patch, { role: 'owner', scopes: ['workspaces:manage'] })).toBe(false);
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

  it('signs in as every role and allows each what its role scopes and rank cover', () => {
    expect(MATRIX_ROLES).toEqual(['owner', 'admin', 'manager', 'agent']);
    const [get, patch] = operationsOf('identity', document);
    expect(MATRIX_ROLES.map((role) => roleMayCall(get, role))).toEqual([true, true, true, true]);
    // workspaces:manage and at least admin.
    expect(MATRIX_ROLES.map((role) => roleMayCall(patch, role))).toEqual([true, true, false, false]);
    const orgSettings = { ...get, scopes: ['organization:manage' as const] };
    expect(MATRIX_ROLES.map((role) => roleMayCall(orgSettings, role))).toEqual([true, false, false, false]);
  });

  it('keeps fixtures by collection and bodies by "<METHOD> <path>"', () => {
    expect(Object.keys(FIXTURES)).toEqual(expect.arrayContaining(['workspaces', 'members', 'api-keys']));
    for (const key of Object.keys(BODIES)) expect(key).toMatch(/^(POST|PUT|PATCH|DELETE) \/\S*\{[^}]+\}/);
  });
});
