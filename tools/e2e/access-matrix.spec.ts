import { collectionOf, fill, operationsOf, refuses } from './access-matrix';

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
  });
});
