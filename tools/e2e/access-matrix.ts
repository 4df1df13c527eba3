import type { Role, Scope } from '@leadflow/contracts';
import { Roles, roleRank } from '@leadflow/contracts';
import type { Policy, RouteRule } from './access-policy';
import { ACCESS_POLICY } from './access-policy';

/** One HTTP operation of a service, as its OpenAPI document lists it. */
export interface Operation {
  service: string;
  method: string;
  path: string;
  pathParams: string[];
  /** Whether it takes a request body. */
  hasBody: boolean;
}

interface OpenApiOperation {
  parameters?: { name: string; in: string }[];
  requestBody?: unknown;
}

export function operationsOf(
  service: string,
  document: { paths: Record<string, Record<string, OpenApiOperation>> },
): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      service,
      method: method.toUpperCase(),
      path,
      pathParams: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
      hasBody: op.requestBody !== undefined,
    })),
  );
}

export const routeOf = (op: Pick<Operation, 'method' | 'path'>): string => `${op.method} ${op.path}`;

/** The hand-written rule of an operation (access-policy.ts), or undefined when it has none. */
export function policyOf(op: Operation, policy = ACCESS_POLICY): Policy | undefined {
  return policy[op.service]?.[routeOf(op)];
}

/** Operations without a policy row, and rows without an operation: each one a failure. */
export function policyGaps(operations: readonly Operation[], policy = ACCESS_POLICY): string[] {
  const served = new Set(operations.map((op) => `${op.service} ${routeOf(op)}`));
  const missing = operations
    .filter((op) => policyOf(op, policy) === undefined)
    .map((op) => `${op.service} ${routeOf(op)}: no row in tools/e2e/access-policy.ts`);
  const stale = Object.entries(policy).flatMap(([service, rows]) =>
    Object.keys(rows)
      .filter((route) => !served.has(`${service} ${route}`))
      .map((route) => `${service} ${route}: a policy row for a route the service does not serve`),
  );
  return [...missing, ...stale];
}

/** Whether a person of this role may call a route of this rule (by rank, as written by hand). */
export function personMay(rule: RouteRule, role: Role): boolean {
  return roleRank[role] >= roleRank[rule.people];
}

/** Whether an API key holding these scopes may call a route of this rule. */
export function keyMay(rule: RouteRule, scopes: readonly Scope[]): boolean {
  return rule.keys !== false && rule.keys.every((s) => scopes.includes(s));
}

/** The roles the matrix signs in as (real users of one organization), highest first. */
export const MATRIX_ROLES: readonly Role[] = [...Roles].sort((x, y) => roleRank[y] - roleRank[x]);

/**
 * What an allowed principal's probe must answer, so that "allowed" is proven, not assumed: a read
 * of organization A's resource answers 200; a change sent with an invalid body answers 400, 415 or
 * 422 (guards run before validation, so access was granted and nothing changed); a change without
 * a body is sent for an unknown id and answers 404 (after the access check).
 */
export function allowedProbe(op: Operation): { target: 'fixture' | 'unknown'; statuses: number[] } {
  if (op.method === 'GET') return { target: 'fixture', statuses: [200] };
  if (op.hasBody) return { target: 'fixture', statuses: [400, 415, 422] };
  return { target: 'unknown', statuses: [404] };
}

/**
 * `/api/v1/workspaces/{id}` → the collection whose fixture id fills the parameter. A route with
 * several parameters names the collection of each, joined by `/` (`/api/v1/webhooks/{id}/requests/
 * {requestId}` → `webhooks/requests`); its fixture answers their ids joined by `,` (see fill).
 */
export function collectionOf(path: string): string {
  const segments = path.split('/').filter(Boolean);
  return segments.flatMap((s, i) => (s.startsWith('{') ? [segments[i - 1] ?? ''] : [])).join('/');
}

/** Fills the parameters in order with the `,`-separated ids; one id fills them all. */
export function fill(path: string, id: string): string {
  const ids = id.split(',');
  let param = 0;
  return path.replace(/\{[^}]+\}/g, () => ids[Math.min(param++, ids.length - 1)]);
}

/**
 * A valid UUID no fixture ever has: allowed principals probe mutating routes with it (and an invalid
 * body), so that checking their access changes nothing.
 */
export const UNKNOWN_ID = '00000000-0000-7000-8000-000000000000';

/** What a fixture row gets: organization A (its owner's session) and the gateway. */
export interface FixtureContext {
  /** The owner's user id and first workspace (from sign-up). */
  userId: string;
  workspaceId: string;
  /** POSTs JSON as the owner and answers the body; fails the test unless the answer is 2xx. */
  post(path: string, body: unknown): Promise<Record<string, unknown>>;
  /**
   * Any request through the gateway (the owner's token unless `anonymous`, e.g. a vendor's post);
   * answers the JSON body and fails the test unless the answer is 2xx.
   */
  send(
    method: string,
    path: string,
    init: { body?: string | FormData; headers?: Record<string, string>; anonymous?: boolean },
  ): Promise<Record<string, unknown>>;
  /** The id of another collection's fixture (created once), for resources that need one. */
  fixture(collection: string): Promise<string>;
}

export type Fixture = (a: FixtureContext) => string | Promise<string>;

/**
 * THE TABLE TO EDIT when a service adds routes with a path parameter.
 *
 * `FIXTURES`: one row per collection that appears before a path parameter
 * (`/api/v1/<collection>/{id}/...`, see collectionOf): how organization A's owner gets or creates one
 * of its resources (for a nested route, `<collection>/<sub-collection>`: the ids of both, see
 * fill). The matrix fills the parameters of the route with that id, checks that another
 * organization gets 404, and that each role is allowed or refused (403) as the route declares. Rows
 * are only run for collections some routed operation needs; a route whose collection has no row
 * fails the matrix with "no fixture of organization A for '<collection>'".
 *
 * `BODIES`: a valid body for each mutating route with a path parameter, keyed `<METHOD> <path>` as in
 * the OpenAPI document, so that another tenant's 404 and a refused role's 403 are about access,
 * never about input. Such calls must change nothing (the matrix compares organization A's lists
 * before and after).
 */
/** A lead of organization A, posted by a vendor the way vendors do (provider key). */
async function vendorLead(a: FixtureContext): Promise<Record<string, unknown>> {
  const webhookId = await a.fixture('webhooks');
  const provider = await a.post('/api/v1/providers', { name: 'matrix vendor' });
  return a.send('POST', `/webhooks/leads/${webhookId}`, {
    anonymous: true,
    headers: {
      'content-type': 'application/json',
      'X-Provider-Id': String(provider.id),
      'X-Provider-Key': String(provider.apiKey),
    },
    body: JSON.stringify({ firstName: 'Matrix', email: `matrix-${Date.now()}-${Math.random()}@example.com` }),
  });
}

export const FIXTURES: Record<string, Fixture> = {
  workspaces: (a) => a.workspaceId,
  members: (a) => a.userId,
  'plan-requests': async (a) =>
    String((await a.post('/api/v1/organizations/current/plan-requests', { plan: 'pro' })).id),
  'api-keys': async (a) =>
    String((await a.post('/api/v1/api-keys', { name: 'matrix', scopes: ['workspaces:read'] })).id),
  invitations: async (a) =>
    String(
      (await a.post('/api/v1/members', { email: `matrix-invitee-${Date.now()}@example.com`, role: 'agent' }))
        .id,
    ),
  webhooks: async (a) =>
    String(
      (await a.post('/api/v1/webhooks', { name: 'matrix', workspaceId: a.workspaceId, vertical: 'solar' }))
        .id,
    ),
  providers: async (a) =>
    String((await a.post('/api/v1/providers', { name: 'matrix', workspaceIds: [a.workspaceId] })).id),
  'webhooks/requests': async (a) => {
    const webhookId = await a.fixture('webhooks');
    const { leadId } = await vendorLead(a);
    const log = await a.send('GET', `/api/v1/webhooks/${webhookId}/requests?outcome=accepted`, {});
    const logged = (log.items as { id: string; leadId: string | null }[]).find((r) => r.leadId === leadId);
    if (!logged)
      throw new Error(`the request log of webhook ${webhookId} has no row for lead ${String(leadId)}`);
    return `${webhookId},${logged.id}`;
  },
  leads: async (a) => String((await vendorLead(a)).leadId),
  contacts: async (a) => String((await vendorLead(a)).contactId),
  'pipeline-stages': async (a) =>
    String(
      (await a.post('/api/v1/pipeline-stages', { workspaceId: a.workspaceId, name: 'Matrix stage' })).id,
    ),
  imports: async (a) => {
    const form = new FormData();
    form.append('webhookId', await a.fixture('webhooks'));
    form.append('file', new Blob(['first_name,email\nMatrix,matrix-import@example.com\n']), 'matrix.csv');
    return String((await a.send('POST', '/api/v1/imports', { body: form })).id);
  },
};

export const BODIES: Record<string, unknown> = {
  'PATCH /api/v1/workspaces/{id}': { name: 'changed by another tenant' },
  'PATCH /api/v1/members/{id}': { role: 'agent' },
  'PATCH /api/v1/webhooks/{id}': { name: 'changed by another tenant' },
  'POST /api/v1/webhooks/{id}/rotate-secret': {},
  'PATCH /api/v1/providers/{id}': { name: 'changed by another tenant' },
  'POST /api/v1/providers/{id}/rotate-key': {},
  'PATCH /api/v1/leads/{id}': { priority: 1 },
  'POST /api/v1/leads/{id}/notes': { body: 'written by another tenant' },
  'POST /api/v1/leads/{id}/activities': { type: 'call', title: 'logged by another tenant' },
  'PATCH /api/v1/contacts/{id}': { firstName: 'Changed' },
  'POST /api/v1/contacts/{id}/merge': { sourceContactId: UNKNOWN_ID },
  'PATCH /api/v1/pipeline-stages/{id}': { description: 'changed by another tenant' },
  'POST /api/v1/imports/{id}/cancel': {},
};
