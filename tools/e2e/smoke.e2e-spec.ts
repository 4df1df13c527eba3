import {
  ApiClient,
  createTestDatabase,
  dropTestDatabase,
  eventually,
  openedMailToken,
  testBrokers,
  testTopicPrefix,
  signUp,
  startProcess,
} from '@leadflow/platform/testing';
import type { SignedUp, StartedProcess } from '@leadflow/platform/testing';
import type { Role, Scope } from '@leadflow/contracts';
import { InvitationCreated, Scopes } from '@leadflow/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { resolve } from 'node:path';
import type { FixtureContext, Operation } from './access-matrix';
import type { RouteRule } from './access-policy';
import { ContractCheck } from './contract-check';
import {
  BODIES,
  FIXTURES,
  MATRIX_ROLES,
  UNKNOWN_ID,
  allowedProbe,
  collectionOf,
  fill,
  operationsOf,
  personMay,
  policyGaps,
  policyOf,
  routeOf,
} from './access-matrix';

const ROOT = resolve(__dirname, '../..');
const SERVICES = ['identity', 'ingestion', 'enrichment', 'campaigns', 'voice', 'routing', 'analytics'];
const BASE_PORT = 13_000;
const GATEWAY = `http://127.0.0.1:${BASE_PORT}`;

/**
 * Proof 6: the platform starts as `npm start` starts it (same script), every service is ready
 * through the gateway, /docs lists every service's document and errors are problem+json. Runs on
 * its own ports, database and topic prefix.
 */
describe('platform smoke (npm start)', () => {
  let url: string;
  let platform: StartedProcess;
  let contract: ContractCheck;
  let restoreFetch: (() => void) | undefined;
  const topicPrefix = testTopicPrefix('e2e');

  beforeAll(async () => {
    url = await createTestDatabase('e2e');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: url,
      KAFKA_BROKERS: testBrokers(),
      KAFKA_TOPIC_PREFIX: topicPrefix,
      GATEWAY_PORT: String(BASE_PORT),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_KEY_PREFIX: `${testTopicPrefix('e2e-rl')}`,
    };
    SERVICES.forEach((name, i) => (env[`${name.toUpperCase()}_PORT`] = String(BASE_PORT + i + 1)));
    platform = startProcess('tools/dev/start.mjs', ['--skip-install', '--skip-build', '--quiet'], {
      cwd: ROOT,
      env,
    });
    const output = (): string => platform.output();
    await eventually(
      async () => output(),
      (text) => text.includes('all services are ready') || platform.child.exitCode !== null,
      { timeoutMs: 240_000, intervalMs: 500, what: 'the platform to start' },
    );
    if (!output().includes('all services are ready')) throw new Error(`platform did not start:\n${output()}`);
    // Every answer the tests below get through the gateway is checked against the served contract.
    const served = await fetch(`${GATEWAY}/docs/openapi.json`);
    if (served.status !== 200) throw new Error(`no merged OpenAPI document: ${served.status}`);
    contract = new ContractCheck((await served.json()) as ConstructorParameters<typeof ContractCheck>[0]);
    restoreFetch = contract.install(GATEWAY);
  }, 300_000);

  afterAll(async () => {
    restoreFetch?.();
    // Ctrl-C, never SIGKILL: a killed `npm start` would leave its services running. (That Ctrl-C
    // stops everything is proved in supervision.e2e-spec.ts.)
    if (platform && platform.child.exitCode === null) {
      platform.signal('SIGINT');
      await platform.exited;
    }
    if (url) await dropTestDatabase(url);
  }, 60_000);

  it('reports every service ready through the gateway', async () => {
    const res = await fetch(`${GATEWAY}/readyz`);
    const body = (await res.json()) as { status: string; services: Record<string, { status: string }> };
    expect(res.status).toBe(200);
    expect(body.status).toBe('ok');
    for (const name of SERVICES)
      expect({ name, status: body.services[name]?.status }).toEqual({ name, status: 'up' });
    const live = await fetch(`${GATEWAY}/healthz`);
    expect(live.status).toBe(200);
  });

  it('lists every service document at /docs', async () => {
    const ui = await fetch(`${GATEWAY}/docs`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toContain('text/html');
    const list = (await (await fetch(`${GATEWAY}/docs/services.json`)).json()) as {
      name: string;
      url: string;
    }[];
    expect(list.map((s) => s.name)).toEqual(expect.arrayContaining(SERVICES));
    for (const name of SERVICES) {
      const doc = await fetch(`${GATEWAY}/docs/${name}/openapi.json`);
      expect({ name, status: doc.status }).toEqual({ name, status: 200 });
      const json = (await doc.json()) as { openapi: string; info: { title: string } };
      expect(json.openapi).toMatch(/^3\./);
      expect(json.info.title.toLowerCase()).toContain(name);
    }
  });

  it('answers unknown routes with problem+json and echoes the request id', async () => {
    const res = await fetch(`${GATEWAY}/api/v1/no-such-resource`, {
      headers: { 'X-Request-Id': 'smoke-req-1' },
    });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.headers.get('x-request-id')).toBe('smoke-req-1');
    expect(await res.json()).toMatchObject({ status: 404, code: 'not_found' });
  });

  describe('identity through the gateway', () => {
    const json = (body: unknown): RequestInit => ({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const register = (tag: string): Promise<SignedUp> =>
      signUp(new ApiClient(GATEWAY), tag, { email: `${tag}-${Date.now()}@example.com` });
    const bearer = (token: string): RequestInit => ({ headers: { authorization: `Bearer ${token}` } });

    it('signs up, reads me, rotates refresh tokens and detects reuse', async () => {
      const a = await register('a');
      expect((await fetch(`${GATEWAY}/api/v1/me`)).status).toBe(401);
      const me = await fetch(`${GATEWAY}/api/v1/me`, bearer(a.accessToken));
      expect(me.status).toBe(200);
      const rotated = await fetch(`${GATEWAY}/api/v1/auth/refresh`, json({ refreshToken: a.refreshToken }));
      expect(rotated.status).toBe(200);
      const pair = (await rotated.json()) as { accessToken: string; refreshToken: string };
      const reused = await fetch(`${GATEWAY}/api/v1/auth/refresh`, json({ refreshToken: a.refreshToken }));
      expect(reused.status).toBe(401);
      const family = await fetch(`${GATEWAY}/api/v1/auth/refresh`, json({ refreshToken: pair.refreshToken }));
      expect(family.status).toBe(401);
    });

    it('uses an API key through the gateway and stops honouring it within 5 s of revocation', async () => {
      const owner = await register('keys');
      const created = await fetch(`${GATEWAY}/api/v1/api-keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.accessToken}` },
        body: JSON.stringify({ name: 'buyer feed', scopes: ['workspaces:read'] }),
      });
      expect(created.status).toBe(201);
      const key = (await created.json()) as { id: string; key: string };
      const viaKey = (): Promise<Response> =>
        fetch(`${GATEWAY}/api/v1/workspaces`, { headers: { 'x-api-key': key.key } });
      expect((await viaKey()).status).toBe(200);
      const revoked = await fetch(`${GATEWAY}/api/v1/api-keys/${key.id}`, {
        method: 'DELETE',
        ...bearer(owner.accessToken),
      });
      expect(revoked.status).toBe(204);
      const at = Date.now();
      let status = 200;
      while (status === 200 && Date.now() - at < 8000) {
        status = (await viaKey()).status;
        if (status === 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(401);
      expect(Date.now() - at).toBeLessThan(5000);
    });

    /**
     * Invitation tokens as identity publishes them (sealed in `user.invited` on the users topic;
     * campaigns opens and e-mails them), by invitation id.
     */
    const invitationTokens = async (): Promise<{
      get(id: string): Promise<string>;
      stop(): Promise<void>;
    }> => {
      const tokens = new Map<string, string>();
      const kafka = new Kafka({
        clientId: 'e2e',
        brokers: testBrokers().split(','),
        logLevel: logLevel.NOTHING,
      });
      const consumer = kafka.consumer({ groupId: `${topicPrefix}e2e-invitations` });
      await consumer.connect();
      await consumer.subscribe({ topics: [`${topicPrefix}${InvitationCreated.topic}`], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const envelope = JSON.parse(message.value?.toString() ?? '{}') as {
            type: string;
            payload: Record<string, unknown>;
          };
          if (envelope.type === InvitationCreated.type)
            tokens.set(envelope.payload.invitationId as string, openedMailToken(envelope));
        },
      });
      return {
        get: async (id) =>
          (await eventually(async () => tokens.get(id), Boolean, {
            what: `user.invited for ${id}`,
          })) as string,
        stop: () => consumer.disconnect(),
      };
    };

    it('enforces the hand-written access policy on every route, role, tenant and workspace limit', async () => {
      const operations: Operation[] = [];
      for (const service of SERVICES) {
        const document = (await (
          await fetch(`${GATEWAY}/docs/${service}/openapi.json`)
        ).json()) as Parameters<typeof operationsOf>[1];
        operations.push(...operationsOf(service, document));
      }
      const failures: string[] = policyGaps(operations);
      const routed = operations.filter(
        (op) => op.path.startsWith('/api/v1/') || op.path.startsWith('/admin/'),
      );
      expect(routed.length).toBeGreaterThan(10);

      const a = await register('matrix-a');
      const b = await register('matrix-b');
      const meA = (await (await fetch(`${GATEWAY}/api/v1/me`, bearer(a.accessToken))).json()) as {
        user: { id: string };
      };
      const post = (path: string, token: string, body: unknown): Promise<Response> =>
        fetch(`${GATEWAY}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
        });
      const created = async (res: Response, what: string): Promise<Record<string, unknown>> => {
        const body = (await res.json()) as Record<string, unknown>;
        if (res.status >= 300) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(body)}`);
        return body;
      };
      // Organization A's second workspace: the one its limited members and keys hold.
      const other = String(
        (
          await created(
            await post('/api/v1/workspaces', a.accessToken, { name: 'Matrix other', kind: 'team' }),
            'workspace',
          )
        ).id,
      );
      // API keys of organization A, by the scopes they hold (org-wide unless limited to `other`).
      const keys = new Map<string, string>();
      const matrixKeyIds = new Set<string>();
      const keyWith = async (scopes: readonly Scope[], workspaceId?: string): Promise<string> => {
        const tag = `${[...scopes].sort().join(',')}@${workspaceId ?? '*'}`;
        if (!keys.has(tag)) {
          const body = {
            name: `matrix ${tag}`.slice(0, 100),
            scopes,
            ...(workspaceId ? { workspaceId } : {}),
          };
          const key = await created(await post('/api/v1/api-keys', a.accessToken, body), `key ${tag}`);
          matrixKeyIds.add(String(key.id));
          keys.set(tag, String(key.key));
        }
        return keys.get(tag) as string;
      };

      // Real people of every role in organization A, and an admin and a manager limited to the
      // other workspace: invited by the owner, joined with the token.
      const people: Partial<Record<Role, string>> = { owner: a.accessToken };
      const limited: Partial<Record<Role, string>> = {};
      const invitations = await invitationTokens();
      try {
        const join = async (role: Role, workspaceIds: string[] | null): Promise<string> => {
          const invited = await post('/api/v1/members', a.accessToken, {
            email: `matrix-${role}-${workspaceIds ? 'limited' : 'all'}-${Date.now()}@example.com`,
            role,
            ...(workspaceIds ? { workspaceIds } : {}),
          });
          expect(invited.status).toBe(201);
          const { id } = (await invited.json()) as { id: string };
          const accepted = await fetch(
            `${GATEWAY}/api/v1/invitations/accept`,
            json({
              token: await invitations.get(id),
              name: `Matrix ${role}`,
              password: 'a-long-enough-passphrase-9',
            }),
          );
          expect(accepted.status).toBe(200);
          const token = ((await accepted.json()) as { accessToken: string }).accessToken;
          const me = (await (await fetch(`${GATEWAY}/api/v1/me`, bearer(token))).json()) as {
            organization: { id: string };
            membership: { role: Role };
          };
          expect(me).toMatchObject({ organization: { id: a.organization.id }, membership: { role } });
          return token;
        };
        for (const role of MATRIX_ROLES.filter((r) => r !== 'owner')) people[role] = await join(role, null);
        for (const role of ['admin', 'manager'] as const) limited[role] = await join(role, [other]);
      } finally {
        await invitations.stop();
      }

      // Organization A's resource of each collection behind a path parameter (the table in
      // access-matrix.ts), all in its first workspace.
      const fixtures: Record<string, string> = {};
      const pending = new Map<string, Promise<string>>();
      const context: FixtureContext = {
        userId: meA.user.id,
        workspaceId: a.workspace.id,
        post: async (path, body) => created(await post(path, a.accessToken, body), `fixture POST ${path}`),
        send: async (method, path, init) =>
          created(
            await fetch(`${GATEWAY}${path}`, {
              method,
              headers: {
                ...(init.anonymous ? {} : { authorization: `Bearer ${a.accessToken}` }),
                ...init.headers,
              },
              body: init.body,
            }),
            `fixture ${method} ${path}`,
          ),
        fixture: (collection) => {
          const row = FIXTURES[collection];
          if (!row) throw new Error(`no fixture row for '${collection}' in access-matrix.ts`);
          if (!pending.has(collection)) pending.set(collection, Promise.resolve(row(context)));
          return pending.get(collection) as Promise<string>;
        },
      };
      const needed = new Set([
        ...routed.filter((op) => op.pathParams.length > 0).map((op) => collectionOf(op.path)),
        ...routed.flatMap((op) => {
          const rule = policyOf(op);
          return typeof rule === 'object' ? (rule.shows ?? []) : [];
        }),
      ]);
      for (const collection of needed) {
        if (FIXTURES[collection]) fixtures[collection] = await context.fixture(collection);
      }
      // Every id of organization A that a list may show, and those that belong to its first
      // workspace (collections whose routes the policy marks workspace-owned).
      const idsOfA = Object.values(fixtures).flatMap((id) => id.split(','));
      const workspaceOwned = new Set(
        routed
          .filter((op) => (policyOf(op) as RouteRule | undefined)?.tenancy === 'workspace')
          .map((op) => collectionOf(op.path)),
      );
      const idsOfFirstWorkspace = Object.entries(fixtures)
        .filter(([collection]) => workspaceOwned.has(collection))
        .flatMap(([, id]) => id.split(','));

      const snapshot = async (): Promise<unknown[]> =>
        Promise.all(
          ['/api/v1/workspaces', '/api/v1/api-keys', '/api/v1/members'].map(async (path) => {
            const page = (await (await fetch(`${GATEWAY}${path}`, bearer(a.accessToken))).json()) as {
              items: Record<string, unknown>[];
            };
            // The keys the matrix itself creates (lazily, by scope set) are not a change a call made.
            return page.items
              .filter((item) => !matrixKeyIds.has(String(item.id)))
              .map(({ lastUsedAt: _lastUsedAt, ...rest }) => rest);
          }),
        );
      const before = await snapshot();
      const call = (
        op: Operation,
        headers: Record<string, string>,
        target: { id?: string; body?: unknown } = {},
      ): Promise<Response> =>
        fetch(`${GATEWAY}${fill(op.path, target.id ?? fixtures[collectionOf(op.path)] ?? UNKNOWN_ID)}`, {
          method: op.method,
          headers: { 'content-type': 'application/json', ...headers },
          ...(op.method === 'GET' || op.method === 'DELETE'
            ? {}
            : { body: JSON.stringify(target.body ?? BODIES[routeOf(op)] ?? {}) }),
        });
      const asKey = (key: string) => ({ 'x-api-key': key });
      const asToken = (token: string) => ({ authorization: `Bearer ${token}` });

      for (const op of routed) {
        const name = `${op.service} ${routeOf(op)}`;
        const rule = policyOf(op);
        if (rule === undefined) continue; // a gap, already failed above
        if (rule === 'operator') {
          const res = await call(op, {});
          if (res.status !== 404)
            failures.push(`${name}: operator route reachable through the gateway (${res.status})`);
          continue;
        }
        if (rule === 'public') {
          const res = await call(op, {});
          if (res.status >= 500 || String(res.headers.get('www-authenticate')).startsWith('Bearer'))
            failures.push(`${name}: a public route answered ${res.status} without a token`);
          continue;
        }
        const isList = op.method === 'GET' && op.pathParams.length === 0;
        if (op.pathParams.length > 0 && !fixtures[collectionOf(op.path)]) {
          failures.push(
            `${name}: no fixture of organization A for '${collectionOf(op.path)}' — add one to FIXTURES`,
          );
          continue;
        }
        const expectAllowed = async (who: string, headers: Record<string, string>): Promise<void> => {
          if (rule.probe === false) return;
          const probe = allowedProbe(op);
          const res =
            probe.target === 'fixture'
              ? await call(op, headers, op.method === 'GET' ? {} : { body: { unexpectedField: 1 } })
              : await call(op, headers, { id: UNKNOWN_ID });
          if (!probe.statuses.includes(res.status))
            failures.push(
              `${name}: ${who} may call it but got ${res.status}, not ${probe.statuses.join('/')}`,
            );
        };
        const expectRefused = async (who: string, headers: Record<string, string>): Promise<void> => {
          const res = await call(op, headers);
          if (res.status !== 403) failures.push(`${name}: ${who} got ${res.status}, not 403`);
        };
        /** Another tenant's or another workspace's view: 404 for A's resource, none of its ids in a list. */
        const expectHidden = async (
          who: string,
          headers: Record<string, string>,
          hidden: readonly string[],
        ): Promise<void> => {
          if (isList) {
            const res = await call(op, headers);
            const text = await res.text();
            if (res.status !== 200) failures.push(`${name}: ${who} got ${res.status} for the list, not 200`);
            const seen = hidden.filter((id) => text.includes(id));
            if (seen.length > 0) failures.push(`${name}: ${who} sees organization A's ${seen.join(', ')}`);
          } else if (op.pathParams.length > 0) {
            const res = await call(op, headers);
            if (res.status !== 404) failures.push(`${name}: ${who} got ${res.status}, not 404`);
          }
        };

        if ((await call(op, {})).status !== 401) failures.push(`${name}: without a token did not answer 401`);
        // People of every role, organization-wide.
        for (const role of MATRIX_ROLES) {
          const headers = asToken(people[role] as string);
          if (personMay(rule, role)) await expectAllowed(role, headers);
          else await expectRefused(role, headers);
        }
        // API keys: the scopes the rule names are enough, one fewer is not, and a key may not call
        // a route the rule keeps from keys at all.
        if (rule.keys === false) {
          await expectRefused('an API key with every scope', asKey(await keyWith(Scopes)));
        } else {
          await expectAllowed(
            `a key with ${rule.keys.join(', ') || 'any scope'}`,
            asKey(await keyWith(rule.keys.length ? rule.keys : ['analytics:read'])),
          );
          for (const missing of rule.keys) {
            const rest = Scopes.filter((s) => s !== missing);
            await expectRefused(`a key without ${missing}`, asKey(await keyWith(rest)));
          }
        }
        // The owner sees organization A's resources in the lists that show them, so that the
        // hidden checks below can fail.
        for (const collection of rule.shows ?? []) {
          const text = await (await call(op, asToken(a.accessToken))).text();
          const id = (fixtures[collection] ?? '').split(',').pop() ?? '';
          if (!id || !text.includes(id))
            failures.push(`${name}: the owner's list does not show its ${collection} ${id}`);
        }
        // Another organization.
        await expectHidden('another organization', asToken(b.accessToken), idsOfA);
        // Members and keys limited to organization A's other workspace.
        if (rule.tenancy === 'workspace') {
          for (const role of ['admin', 'manager'] as const) {
            if (personMay(rule, role))
              await expectHidden(
                `a ${role} limited to another workspace`,
                asToken(limited[role] as string),
                idsOfFirstWorkspace,
              );
          }
          if (rule.keys !== false)
            await expectHidden(
              'a key limited to another workspace',
              asKey(await keyWith(Scopes, other)),
              idsOfFirstWorkspace,
            );
        }
      }
      // Bad input on every body: never a 5xx; a 422 names the field and the rule.
      const junk = [
        '{"unexpectedField":1}',
        '[]',
        '"text"',
        '{"name":12345,"email":false,"scopes":"all"}',
        '{"a":',
      ];
      for (const op of routed.filter(
        (o) => ['POST', 'PUT', 'PATCH'].includes(o.method) && policyOf(o) !== 'operator',
      )) {
        for (const body of junk) {
          const res = await fetch(
            `${GATEWAY}${fill(op.path, fixtures[collectionOf(op.path)] ?? a.workspace.id)}`,
            {
              method: op.method,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${a.accessToken}` },
              body,
            },
          );
          const name = `${routeOf(op)} with ${body}`;
          if (res.status >= 500) failures.push(`${name}: answered ${res.status}`);
          if (res.status === 422) {
            const problem = (await res.json()) as { errors?: { field?: string; rule?: string }[] };
            if (!problem.errors?.length || !problem.errors.every((e) => e.field !== undefined && e.rule))
              failures.push(`${name}: 422 without field errors`);
          }
        }
      }
      expect(failures).toEqual([]);
      expect(await snapshot()).toEqual(before);
    });

    it("never shows one organization's workspace to another (404, unchanged)", async () => {
      const a = await register('tenant-a');
      const b = await register('tenant-b');
      const foreign = await fetch(`${GATEWAY}/api/v1/workspaces/${a.workspace.id}`, bearer(b.accessToken));
      expect(foreign.status).toBe(404);
      const patch = await fetch(`${GATEWAY}/api/v1/workspaces/${a.workspace.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${b.accessToken}` },
        body: JSON.stringify({ name: 'taken over' }),
      });
      expect(patch.status).toBe(404);
      const own = (await (
        await fetch(`${GATEWAY}/api/v1/workspaces/${a.workspace.id}`, bearer(a.accessToken))
      ).json()) as { name: string };
      expect(own.name).not.toBe('taken over');
    });
  });

  // Last: the answers of every test above, each one described by the served contract.
  it('got only answers the OpenAPI contract describes', () => {
    expect(contract.checked).toBeGreaterThan(100);
    expect(contract.violations).toEqual([]);
  });
});
