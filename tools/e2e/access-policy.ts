import type { Role, Scope } from '@leadflow/contracts';

/**
 * WHO MAY CALL WHAT, written by hand: the platform's access policy, one row per operation of
 * every service (`<METHOD> <path>` as in the service's OpenAPI document). The access matrix
 * (smoke.e2e-spec.ts) calls every route as every role, as API keys, as another organization and
 * as workspace-limited members and keys, and checks the answers against these rows, never
 * against the decorators the guard reads. A route without a row, or a row without a route,
 * fails the matrix: adding a route means deciding its policy here.
 *
 * - `people`: the lowest role of a person who may call it (owner > admin > manager > agent).
 * - `keys`: the scopes an API key needs to call it (`[]`: any key), or `false`: no key may.
 * - `tenancy`: `workspace` — its resources belong to one workspace: a member or key limited to
 *   other workspaces gets 404 for them and never sees them in a list; `organization` — rows of
 *   the organization as a whole; `self` — the caller's own account.
 * - `shows`: for a list, the fixture collections whose organization-A resource (in its first
 *   workspace) the owner sees in the answer, so that the tenant and workspace checks can fail.
 * - `probe: false`: the matrix does not call it as an allowed principal (the reason says which
 *   test covers it); it still checks the refusals.
 */
export interface RouteRule {
  people: Role;
  keys: readonly Scope[] | false;
  tenancy: 'workspace' | 'organization' | 'self';
  shows?: readonly string[];
  probe?: false;
  reason?: string;
}

export type Policy = RouteRule | 'public' | 'operator';

const DLQ: Record<string, Policy> = {
  'GET /admin/dlq': 'operator',
  'GET /admin/dlq/{id}': 'operator',
  'POST /admin/dlq/{id}/replay': 'operator',
};

const ws = (people: Role, keys: readonly Scope[] | false, shows?: readonly string[]): RouteRule => ({
  people,
  keys,
  tenancy: 'workspace',
  ...(shows ? { shows } : {}),
});
const org = (people: Role, keys: readonly Scope[] | false): RouteRule => ({
  people,
  keys,
  tenancy: 'organization',
});

/** Per service, as the gateway lists them at /docs. */
export const ACCESS_POLICY: Record<string, Record<string, Policy>> = {
  identity: {
    'POST /api/v1/auth/register': 'public',
    'POST /api/v1/auth/login': 'public',
    'POST /api/v1/auth/refresh': 'public',
    'POST /api/v1/auth/logout': {
      people: 'agent',
      keys: false,
      tenancy: 'self',
      probe: false,
      reason: 'ends the caller’s session; identity.integration-spec covers logout',
    },
    // A person's own account: an API key has no /me and no password.
    'GET /api/v1/me': { people: 'agent', keys: false, tenancy: 'self' },
    'POST /api/v1/me/password': { people: 'agent', keys: false, tenancy: 'self' },
    'GET /.well-known/jwks.json': 'public',
    'POST /api/v1/signing-keys/rotate': 'operator',
    'GET /api/v1/organizations/current': org('agent', []),
    'PATCH /api/v1/organizations/current': org('owner', ['organization:manage']),
    // Plans are the operator's: owners ask (one pending request), owners and admins follow them.
    'POST /api/v1/organizations/current/plan-requests': org('owner', false),
    'GET /api/v1/organizations/current/plan-requests': { ...org('admin', false), shows: ['plan-requests'] },
    'GET /api/v1/organizations/current/plan-requests/{id}': org('admin', false),
    'PUT /api/v1/organization-plans/{organizationId}': 'operator',
    'GET /api/v1/plan-requests': 'operator',
    'POST /api/v1/plan-requests/{id}/approve': 'operator',
    'POST /api/v1/plan-requests/{id}/decline': 'operator',
    'POST /api/v1/workspaces': org('admin', ['workspaces:manage']),
    'GET /api/v1/workspaces': ws('agent', ['workspaces:read'], ['workspaces']),
    'GET /api/v1/workspaces/{id}': ws('agent', ['workspaces:read']),
    'PATCH /api/v1/workspaces/{id}': ws('admin', ['workspaces:manage']),
    'GET /api/v1/members': org('agent', ['members:read']),
    'POST /api/v1/members': org('admin', ['members:manage']),
    'PATCH /api/v1/members/{id}': org('admin', false),
    'DELETE /api/v1/members/{id}': {
      people: 'admin',
      keys: false,
      tenancy: 'organization',
      probe: false,
      reason: 'removes the member for good; offboarding.integration-spec covers the allowed calls',
    },
    'GET /api/v1/invitations': org('agent', ['members:read']),
    'DELETE /api/v1/invitations/{id}': org('admin', ['members:manage']),
    'POST /api/v1/invitations/accept': 'public',
    'POST /api/v1/password-resets': 'public',
    'POST /api/v1/password-resets/confirm': 'public',
    'POST /api/v1/api-keys': org('admin', ['api-keys:manage']),
    'GET /api/v1/api-keys': org('admin', ['api-keys:manage']),
    'DELETE /api/v1/api-keys/{id}': org('admin', ['api-keys:manage']),
    'GET /api/v1/audit-log': ws('admin', false, ['workspaces']),
    ...DLQ,
  },
  ingestion: {
    'POST /api/v1/webhooks': ws('manager', ['webhooks:manage']),
    'GET /api/v1/webhooks': ws('manager', ['webhooks:manage'], ['webhooks']),
    'GET /api/v1/webhooks/{id}': ws('manager', ['webhooks:manage']),
    'PATCH /api/v1/webhooks/{id}': ws('manager', ['webhooks:manage']),
    'DELETE /api/v1/webhooks/{id}': ws('manager', ['webhooks:manage']),
    'POST /api/v1/webhooks/{id}/rotate-secret': ws('manager', ['webhooks:manage']),
    'GET /api/v1/webhooks/{id}/requests': ws('manager', ['webhooks:manage']),
    'GET /api/v1/webhooks/{id}/requests/{requestId}': ws('manager', ['webhooks:manage']),
    'POST /api/v1/providers': ws('manager', ['providers:manage']),
    'GET /api/v1/providers': ws('manager', ['providers:manage'], ['providers']),
    'GET /api/v1/providers/{id}': ws('manager', ['providers:manage']),
    'PATCH /api/v1/providers/{id}': ws('manager', ['providers:manage']),
    'POST /api/v1/providers/{id}/rotate-key': ws('manager', ['providers:manage']),
    'GET /api/v1/providers/{id}/usage': ws('manager', ['providers:manage']),
    'POST /webhooks/leads/{webhookId}': 'public',
    'GET /api/v1/leads': ws('agent', ['leads:read'], ['leads']),
    'GET /api/v1/leads/{id}': ws('agent', ['leads:read']),
    'PATCH /api/v1/leads/{id}': ws('agent', ['leads:write']),
    'GET /api/v1/leads/{id}/notes': ws('agent', ['leads:read']),
    'POST /api/v1/leads/{id}/notes': ws('agent', ['leads:write']),
    'GET /api/v1/leads/{id}/activities': ws('agent', ['leads:read']),
    'POST /api/v1/leads/{id}/activities': ws('agent', ['leads:write']),
    'GET /api/v1/contacts': ws('agent', ['contacts:read'], ['contacts']),
    'GET /api/v1/contacts/{id}': ws('agent', ['contacts:read']),
    'PATCH /api/v1/contacts/{id}': ws('agent', ['contacts:write']),
    'GET /api/v1/contacts/{id}/leads': ws('agent', ['contacts:read', 'leads:read']),
    'POST /api/v1/contacts/{id}/merge': ws('agent', ['contacts:write']),
    'GET /api/v1/pipeline-stages': ws('agent', ['leads:read'], ['pipeline-stages']),
    // Managing the pipeline is for managers and above; API keys (agent rank) may not.
    'POST /api/v1/pipeline-stages': ws('manager', false),
    'PATCH /api/v1/pipeline-stages/{id}': ws('manager', false),
    'DELETE /api/v1/pipeline-stages/{id}': ws('manager', false),
    'GET /api/v1/exports/leads': ws('agent', ['leads:read'], ['leads']),
    'POST /api/v1/imports': ws('manager', ['imports:write']),
    'GET /api/v1/imports': ws('manager', ['imports:write'], ['imports']),
    'GET /api/v1/imports/{id}': ws('manager', ['imports:write']),
    'GET /api/v1/imports/{id}/errors': ws('manager', ['imports:write']),
    'POST /api/v1/imports/{id}/cancel': ws('manager', ['imports:write']),
    ...DLQ,
  },
  enrichment: { ...DLQ },
  campaigns: { ...DLQ },
  voice: { ...DLQ },
  routing: { ...DLQ },
  analytics: { ...DLQ },
};
