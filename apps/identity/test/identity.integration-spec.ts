import {
  createTestDatabase,
  dropTestDatabase,
  eventually,
  openedMailToken,
  readiness,
  startProcess,
  testBrokers,
  testTopicPrefix,
} from '@leadflow/platform/testing';
import type { StartedProcess } from '@leadflow/platform/testing';
import type { AccessTokenClaims, LeadPayload } from '@leadflow/contracts';
import { LeadCreated, Topics, roleScopes } from '@leadflow/contracts';
import type { JWK } from 'jose';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import type { Consumer, Producer } from 'kafkajs';
import { Kafka, logLevel } from 'kafkajs';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';

const MAIN = resolve(__dirname, '../../../dist/apps/identity/src/main.js');
const PORT = 14_101;
const BASE = `http://127.0.0.1:${PORT}`;
const OPERATOR = 'operator-token-identity-test';
const ISSUER = 'leadflow-identity';
const AUDIENCE = 'leadflow-api';

interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

interface Call {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

/** One HTTP call to the service; each caller gets its own forwarded IP unless it names one. */
async function call<T = Record<string, unknown>>(
  method: string,
  path: string,
  options: Call = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { 'X-Forwarded-For': '198.51.100.1', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
}

interface Registered {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string };
  organization: { id: string; plan: string; quotas: Record<string, unknown> };
  workspace: { id: string; kind: string; timezone: string };
}

interface ConsumedEvent {
  topic: string;
  key: string;
  /** The message's value as the broker holds it. */
  raw: string;
  envelope: {
    id: string;
    type: string;
    version: number;
    source: string;
    organizationId: string;
    workspaceId?: string;
    aggregateId: string;
    correlationId: string;
    occurredAt: string;
    payload: Record<string, unknown>;
  };
}

let counter = 0;
const uniqueEmail = (name: string): string => `${name}.${Date.now()}.${++counter}@Example.com`;
const strongPassword = 'violet-anchor-harbor-42';

describe('identity service (built process, real PostgreSQL and Kafka)', () => {
  let url: string;
  let run: StartedProcess;
  let db: Client;
  let kafka: Kafka;
  let consumer: Consumer;
  let producer: Producer | undefined;
  let prefix: string;
  const events: ConsumedEvent[] = [];

  // State shared by the steps (they run in order).
  let a: Registered;
  let b: Registered;
  let apiKeyId: string;

  const verify = async (token: string): Promise<AccessTokenClaims> => {
    const jwks = await call<{ keys: JWK[] }>('GET', '/.well-known/jwks.json');
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks.body), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['RS256'],
    });
    return payload as unknown as AccessTokenClaims;
  };
  /**
   * A mail token (invitation, password reset) travels sealed: not in the message as the broker
   * holds it, not in identity's outbox, and the envelope is v2 with `sealedToken` and no `token`.
   */
  const expectNowhereInClear = async (token: string, event: ConsumedEvent): Promise<void> => {
    expect(event.envelope.version).toBe(2);
    expect(event.envelope.payload).not.toHaveProperty('token');
    expect(event.envelope.payload.sealedToken).toEqual(expect.stringMatching(/^v1\./));
    expect(event.raw).not.toContain(token);
    const inOutbox = await db.query(
      `SELECT count(*)::int AS n FROM identity.outbox WHERE strpos(value, $1) > 0`,
      [token],
    );
    expect(inOutbox.rows[0].n).toBe(0);
    const sealedInOutbox = await db.query(`SELECT count(*)::int AS n FROM identity.outbox WHERE id = $1`, [
      event.envelope.id,
    ]);
    expect(sealedInOutbox.rows[0].n).toBe(1);
  };
  const count = async (table: string): Promise<number> =>
    Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM identity.${table}`)).rows[0].n);
  const counts = async (tables: string[]): Promise<number[]> => {
    const result: number[] = [];
    for (const table of tables) result.push(await count(table));
    return result;
  };
  const register = async (name: string, ip = '198.51.100.7'): Promise<Registered> => {
    const res = await call<Registered>('POST', '/api/v1/auth/register', {
      body: { email: uniqueEmail(name), password: strongPassword, name, organizationName: `${name} Leads` },
      headers: { 'X-Forwarded-For': ip },
    });
    expect(res.status).toBe(201);
    return res.body;
  };

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (node tools/dev/build.mjs)`);
    url = await createTestDatabase('identity');
    prefix = testTopicPrefix('identity');
    run = startProcess(MAIN, [], {
      env: {
        DATABASE_URL: url,
        KAFKA_BROKERS: testBrokers(),
        KAFKA_TOPIC_PREFIX: prefix,
        IDENTITY_PORT: String(PORT),
        LOG_LEVEL: 'warn',
        OPERATOR_TOKEN: OPERATOR,
        NODE_ENV: 'test',
        LOGIN_ATTEMPT_PRUNE_INTERVAL_SECONDS: '1',
      },
    });
    // Ready and connected to Kafka: the test subscribes to identity's topics next.
    await eventually(
      () => readiness(BASE),
      (status) => status === 200 || run.child.exitCode !== null,
      { timeoutMs: 60_000, what: 'identity to be ready' },
    );
    if (run.child.exitCode !== null) throw new Error(`identity exited:\n${run.output()}`);
    db = new Client({ connectionString: url });
    await db.connect();
    kafka = new Kafka({
      clientId: 'identity-test',
      brokers: testBrokers().split(','),
      logLevel: logLevel.NOTHING,
    });
    consumer = kafka.consumer({ groupId: `${prefix}identity-test` });
    await consumer.connect();
    await consumer.subscribe({
      topics: [Topics.identityOrganizations, Topics.identityWorkspaces, Topics.identityUsers].map(
        (t) => prefix + t,
      ),
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        events.push({
          topic,
          key: message.key?.toString() ?? '',
          raw: message.value?.toString() ?? '',
          envelope: JSON.parse(message.value?.toString() ?? '{}') as ConsumedEvent['envelope'],
        });
      },
    });
  }, 120_000);

  afterAll(async () => {
    await consumer?.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await db?.end().catch(() => undefined);
    if (run?.child.exitCode === null) run.child.kill('SIGKILL');
    if (url) await dropTestDatabase(url);
  });

  it('registers an organization with its first workspace and owner, and signs an RS256 token served by the JWKS', async () => {
    a = await register('alice');
    expect(a.organization).toMatchObject({ plan: 'free', quotas: expect.objectContaining({ leads: 500 }) });
    expect(a.workspace).toMatchObject({ kind: 'team', timezone: 'UTC', organizationId: a.organization.id });
    expect(a.user.email).toBe(a.user.email.toLowerCase());
    expect(a.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const header = decodeProtectedHeader(a.accessToken);
    expect(header.alg).toBe('RS256');
    const jwks = await call<{ keys: JWK[] }>('GET', '/.well-known/jwks.json');
    expect(jwks.body.keys.map((k) => k.kid)).toContain(header.kid);
    expect(jwks.body.keys.every((k) => !('d' in k) && !('p' in k))).toBe(true);
    const claims = await verify(a.accessToken);
    expect(claims).toMatchObject({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: a.user.id,
      org: a.organization.id,
      typ: 'user',
      role: 'owner',
      scp: [...roleScopes.owner],
    });
    expect(claims.ws).toBeUndefined();
    expect(typeof claims.sid).toBe('string');
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(900);

    const rows = await db.query(
      `SELECT role, workspace_ids FROM identity.memberships WHERE user_id = $1 AND organization_id = $2`,
      [a.user.id, a.organization.id],
    );
    expect(rows.rows).toEqual([{ role: 'owner', workspace_ids: null }]);
    const hash = await db.query<{ password_hash: string }>(
      `SELECT password_hash FROM identity.users WHERE id = $1`,
      [a.user.id],
    );
    expect(hash.rows[0].password_hash).toMatch(/^\$argon2id\$/);
  });

  it('answers /me for the signed-in user and refuses without a token', async () => {
    const me = await call('GET', '/api/v1/me', { token: a.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      user: { id: a.user.id, email: a.user.email },
      organization: { id: a.organization.id },
      membership: { role: 'owner', workspaceIds: null },
    });
    expect((await call('GET', '/api/v1/me')).status).toBe(401);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['short password', { password: 'short-pw-1' }, 'password', 'minLength'],
    ['common password', { password: 'Password1234' }, 'password', 'notCommon'],
    ['bad email', { email: 'not-an-email' }, 'email', 'isEmail'],
    ['unknown field', { isAdmin: true }, 'isAdmin', 'unknownField'],
    ['wrong type', { name: 42 }, 'name', 'isString'],
    ['missing field', { organizationName: undefined }, 'organizationName', 'isString'],
  ])(
    'refuses registration with a %s: 422 naming field and rule, nothing stored',
    async (_case, change, field, rule) => {
      const before = await counts(['users', 'organizations', 'workspaces', 'outbox']);
      const body = {
        email: uniqueEmail('invalid'),
        password: strongPassword,
        name: 'Invalid',
        organizationName: 'Invalid Org',
        ...change,
      };
      const res = await call<{ code: string; errors: { field: string; rule: string; message: string }[] }>(
        'POST',
        '/api/v1/auth/register',
        { body },
      );
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors).toContainEqual({ field, rule, message: expect.any(String) });
      expect(await counts(['users', 'organizations', 'workspaces', 'outbox'])).toEqual(before);
    },
  );

  it('refuses a second account with the same e-mail in another case: 409 email_taken', async () => {
    const before = await count('organizations');
    const res = await call('POST', '/api/v1/auth/register', {
      body: {
        email: a.user.email.toUpperCase(),
        password: strongPassword,
        name: 'Dup',
        organizationName: 'Dup',
      },
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'email_taken' });
    expect(await count('organizations')).toBe(before);
  });

  it('logs in case-insensitively, and answers the same 401 for an unknown e-mail and a wrong password', async () => {
    const ok = await call('POST', '/api/v1/auth/login', {
      body: { email: a.user.email.toUpperCase(), password: strongPassword },
    });
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken', 'tokenType']);
    expect((await verify(ok.body.accessToken as string)).sub).toBe(a.user.id);

    const strip = (body: Record<string, unknown>): Record<string, unknown> => {
      const { requestId: _r, ...rest } = body;
      return rest;
    };
    const wrong = await call('POST', '/api/v1/auth/login', {
      body: { email: a.user.email, password: 'wrong-password-123' },
    });
    const unknown = await call('POST', '/api/v1/auth/login', {
      body: { email: uniqueEmail('nobody'), password: 'wrong-password-123' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
    expect(wrong.body).toMatchObject({ code: 'invalid_credentials' });
  });

  it('rotates refresh tokens; presenting a used one revokes the whole family', async () => {
    const first = await call<{ accessToken: string; refreshToken: string }>('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: a.refreshToken },
    });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(a.refreshToken);
    const claims = await verify(first.body.accessToken);
    expect(claims.sid).toBe((await verify(a.accessToken)).sid);

    const reuse = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: a.refreshToken } });
    expect(reuse.status).toBe(401);
    expect(reuse.body).toMatchObject({ code: 'refresh_token_reused' });

    const descendant = await call('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: first.body.refreshToken },
    });
    expect(descendant.status).toBe(401);
    const session = await db.query<{ revoked_at: Date | null; revoked_reason: string }>(
      `SELECT revoked_at, revoked_reason FROM identity.sessions WHERE id = $1`,
      [claims.sid],
    );
    expect(session.rows[0]).toMatchObject({
      revoked_at: expect.any(Date),
      revoked_reason: 'refresh_token_reused',
    });
    const live = await db.query(
      `SELECT 1 FROM identity.refresh_tokens WHERE session_id = $1 AND revoked_at IS NULL`,
      [claims.sid],
    );
    expect(live.rowCount).toBe(0);

    expect(
      (await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: 'x'.repeat(43) } })).body,
    ).toMatchObject({ code: 'invalid_refresh_token' });
  });

  it("logs out: the session's refresh token stops working", async () => {
    const login = await call<{ accessToken: string; refreshToken: string }>('POST', '/api/v1/auth/login', {
      body: { email: a.user.email, password: strongPassword },
    });
    a.accessToken = login.body.accessToken;
    const out = await call('POST', '/api/v1/auth/logout', { token: login.body.accessToken });
    expect(out.status).toBe(204);
    const after = await call('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(after.status).toBe(401);
  });

  it('throttles an account after 5 failures and an IP after 20, with Retry-After', async () => {
    const victim = await register('victim');
    const email = victim.user.email;
    for (let i = 0; i < 5; i++) {
      const res = await call('POST', '/api/v1/auth/login', {
        body: { email, password: `wrong-password-${i}` },
        headers: { 'X-Forwarded-For': `203.0.113.${10 + i}` },
      });
      expect(res.status).toBe(401);
    }
    const blocked = await call('POST', '/api/v1/auth/login', {
      body: { email, password: strongPassword },
      headers: { 'X-Forwarded-For': '203.0.113.99' },
    });
    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatchObject({ code: 'too_many_attempts' });
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);

    const ip = '192.0.2.77';
    for (let i = 0; i < 20; i++) {
      const res = await call('POST', '/api/v1/auth/login', {
        body: { email: uniqueEmail('spray'), password: 'wrong-password-123' },
        headers: { 'X-Forwarded-For': ip },
      });
      expect(res.status).toBe(401);
    }
    const ipBlocked = await call('POST', '/api/v1/auth/login', {
      body: { email: a.user.email, password: strongPassword },
      headers: { 'X-Forwarded-For': ip },
    });
    expect(ipBlocked.status).toBe(429);
    expect(Number(ipBlocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another IP is not affected.
    expect(
      (await call('POST', '/api/v1/auth/login', { body: { email: a.user.email, password: strongPassword } }))
        .status,
    ).toBe(200);
  });

  it('counts attempts atomically: 20 concurrent wrong logins or password changes on one account evaluate at most 5', async () => {
    const target = await register('concurrent');
    const email = target.user.email;
    const attempts = async (): Promise<number> =>
      Number(
        (
          await db.query<{ n: string }>(
            `SELECT count(*) AS n FROM identity.login_attempts WHERE email = $1`,
            [email.toLowerCase()],
          )
        ).rows[0].n,
      );
    const logins = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call('POST', '/api/v1/auth/login', {
          body: { email, password: `wrong-password-${i}` },
          headers: { 'X-Forwarded-For': `203.0.113.${120 + i}` },
        }),
      ),
    );
    const statuses = logins.map((r) => r.status);
    // Every evaluated attempt is recorded before its verification: the rows are the evaluations.
    expect(await attempts()).toBe(5);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);

    const other = await register('concurrent-change');
    const changes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call('POST', '/api/v1/me/password', {
          token: other.accessToken,
          body: { currentPassword: `wrong-password-${i}`, newPassword: 'another-violet-anchor-77' },
          headers: { 'X-Forwarded-For': `203.0.113.${160 + i}` },
        }),
      ),
    );
    const changeStatuses = changes.map((r) => r.status);
    const rows = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM identity.login_attempts WHERE email = $1 AND NOT succeeded`,
      [other.user.email.toLowerCase()],
    );
    expect(Number(rows.rows[0].n)).toBe(5);
    expect(changeStatuses.filter((s) => s === 401)).toHaveLength(5);
    expect(changeStatuses.filter((s) => s === 429)).toHaveLength(15);
  });

  it('creates, lists, paginates and updates workspaces, publishing their events', async () => {
    const bad = await call('POST', '/api/v1/workspaces', {
      token: a.accessToken,
      body: { name: 'Mars', kind: 'buyer', timezone: 'Mars/Olympus' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({
      errors: [expect.objectContaining({ field: 'timezone', rule: 'isTimeZone' })],
    });

    const created = await call<{ id: string; timezone: string; status: string }>(
      'POST',
      '/api/v1/workspaces',
      {
        token: a.accessToken,
        body: { name: 'Solar Buyer', kind: 'buyer', timezone: 'America/New_York' },
      },
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ timezone: 'America/New_York', status: 'active' });

    const page1 = await call<{ items: { id: string }[]; nextCursor: string | null }>(
      'GET',
      '/api/v1/workspaces?limit=1',
      { token: a.accessToken },
    );
    expect(page1.body.items).toHaveLength(1);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await call<{ items: { id: string }[]; nextCursor: string | null }>(
      'GET',
      `/api/v1/workspaces?limit=1&cursor=${page1.body.nextCursor}`,
      { token: a.accessToken },
    );
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();
    expect(new Set([...page1.body.items, ...page2.body.items].map((w) => w.id))).toEqual(
      new Set([a.workspace.id, created.body.id]),
    );
    expect((await call('GET', '/api/v1/workspaces?limit=500', { token: a.accessToken })).status).toBe(422);

    const patched = await call('PATCH', `/api/v1/workspaces/${created.body.id}`, {
      token: a.accessToken,
      body: { name: 'Solar Buyer West', timezone: 'America/Los_Angeles', status: 'archived' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: 'Solar Buyer West',
      timezone: 'America/Los_Angeles',
      status: 'archived',
    });
    expect(
      (await call('GET', `/api/v1/workspaces/${created.body.id}`, { token: a.accessToken })).body,
    ).toMatchObject({
      status: 'archived',
    });

    await eventually(
      async () =>
        events.filter((e) => e.envelope.aggregateId === created.body.id).map((e) => e.envelope.type),
      (types) => types.includes('workspace.created') && types.includes('workspace.updated'),
      { what: 'workspace events on Kafka' },
    );
  });

  it('creates API keys within the creator scopes, exchanges them for scoped tokens, and revokes them', async () => {
    const created = await call<{ id: string; key: string; prefix: string; scopes: string[] }>(
      'POST',
      '/api/v1/api-keys',
      {
        token: a.accessToken,
        body: {
          name: 'buyer key',
          scopes: ['conversions:write', 'api-keys:manage'],
          workspaceId: a.workspace.id,
        },
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^lf_[a-z0-9]{8}_[A-Za-z0-9_-]{32}$/);
    expect(created.body.key.slice(3, 11)).toBe(created.body.prefix);
    apiKeyId = created.body.id;
    const stored = await db.query<{ key_hash: Buffer }>(
      `SELECT key_hash FROM identity.api_keys WHERE id = $1`,
      [apiKeyId],
    );
    expect(stored.rows[0].key_hash.toString('utf8')).not.toContain(created.body.key);

    const exchanged = await call<{ accessToken: string; expiresIn: number }>(
      'POST',
      '/internal/api-keys/exchange',
      {
        headers: { 'X-Api-Key': created.body.key },
      },
    );
    expect(exchanged.status).toBe(200);
    expect(exchanged.body.expiresIn).toBe(60);
    const claims = await verify(exchanged.body.accessToken);
    expect(claims).toMatchObject({
      typ: 'api_key',
      sub: apiKeyId,
      org: a.organization.id,
      role: 'agent',
      scp: ['conversions:write', 'api-keys:manage'],
      ws: [a.workspace.id],
    });
    const used = await db.query(`SELECT last_used_at FROM identity.api_keys WHERE id = $1`, [apiKeyId]);
    expect(used.rows[0].last_used_at).toBeInstanceOf(Date);

    // A key cannot mint a key with more than it holds.
    const escalate = await call('POST', '/api/v1/api-keys', {
      token: exchanged.body.accessToken,
      body: { name: 'more', scopes: ['leads:write'], workspaceId: a.workspace.id },
    });
    expect(escalate.status).toBe(403);
    expect(escalate.body).toMatchObject({ code: 'scope_not_held' });
    // A workspace-limited principal cannot create workspaces (here: no scope for it either).
    const ws = await call('POST', '/api/v1/workspaces', {
      token: exchanged.body.accessToken,
      body: { name: 'nope', kind: 'team' },
    });
    expect(ws.status).toBe(403);

    const unknownScope = await call('POST', '/api/v1/api-keys', {
      token: a.accessToken,
      body: { name: 'x', scopes: ['everything:all'] },
    });
    expect(unknownScope.status).toBe(422);
    expect(unknownScope.body).toMatchObject({
      errors: [expect.objectContaining({ field: 'scopes', rule: 'isIn' })],
    });

    const list = await call<{ items: Record<string, unknown>[] }>('GET', '/api/v1/api-keys', {
      token: a.accessToken,
    });
    expect(list.status).toBe(200);
    expect(list.body.items.map((k) => k.id)).toContain(apiKeyId);
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);
    for (const item of list.body.items)
      expect(Object.keys(item)).not.toEqual(expect.arrayContaining(['key']));

    expect((await call('DELETE', `/api/v1/api-keys/${apiKeyId}`, { token: a.accessToken })).status).toBe(204);
    const revoked = await call('POST', '/internal/api-keys/exchange', {
      headers: { 'X-Api-Key': created.body.key },
    });
    expect(revoked.status).toBe(401);
    expect(revoked.body).toMatchObject({ code: 'invalid_api_key' });
    for (const key of ['', 'lf_nothing', `lf_abcdefgh_${'a'.repeat(32)}`]) {
      const res = await call('POST', '/internal/api-keys/exchange', {
        headers: key ? { 'X-Api-Key': key } : {},
      });
      expect(res.status).toBe(401);
    }
  });

  it("keeps organizations apart: another tenant's workspace and API key answer 404 and stay unchanged", async () => {
    b = await register('bob');
    const key = await call<{ id: string }>('POST', '/api/v1/api-keys', {
      token: a.accessToken,
      body: { name: 'a-only', scopes: ['leads:read'] },
    });
    expect(key.status).toBe(201);

    expect((await call('GET', `/api/v1/workspaces/${a.workspace.id}`, { token: b.accessToken })).status).toBe(
      404,
    );
    const patch = await call('PATCH', `/api/v1/workspaces/${a.workspace.id}`, {
      token: b.accessToken,
      body: { name: 'hijacked' },
    });
    expect(patch.status).toBe(404);
    expect((await call('DELETE', `/api/v1/api-keys/${key.body.id}`, { token: b.accessToken })).status).toBe(
      404,
    );
    const bKey = await call('POST', '/api/v1/api-keys', {
      token: b.accessToken,
      body: { name: 'x', scopes: ['leads:read'], workspaceId: a.workspace.id },
    });
    expect(bKey.status).toBe(404);

    const listB = await call<{ items: { id: string }[] }>('GET', '/api/v1/workspaces', {
      token: b.accessToken,
    });
    expect(listB.body.items.map((w) => w.id)).toEqual([b.workspace.id]);
    const keysB = await call<{ items: unknown[] }>('GET', '/api/v1/api-keys', { token: b.accessToken });
    expect(keysB.body.items).toEqual([]);

    const ws = await db.query(`SELECT name FROM identity.workspaces WHERE id = $1`, [a.workspace.id]);
    expect(ws.rows[0].name).toBe('alice Leads');
    const k = await db.query(`SELECT revoked_at FROM identity.api_keys WHERE id = $1`, [key.body.id]);
    expect(k.rows[0].revoked_at).toBeNull();
  });

  it('members: an agent limited to a workspace gets 403 on workspace creation; the last owner cannot be demoted', async () => {
    // The test moves a fresh user straight into organization A as a limited agent (invitations: below).
    const carol = await register('carol');
    await db.query(
      `UPDATE identity.memberships SET organization_id = $1, role = 'agent', workspace_ids = $2 WHERE user_id = $3`,
      [a.organization.id, [a.workspace.id], carol.user.id],
    );
    const login = await call<{ accessToken: string; refreshToken: string }>('POST', '/api/v1/auth/login', {
      body: { email: carol.user.email, password: strongPassword },
    });
    const agentClaims = await verify(login.body.accessToken);
    expect(agentClaims).toMatchObject({ org: a.organization.id, role: 'agent', ws: [a.workspace.id] });
    const denied = await call('POST', '/api/v1/workspaces', {
      token: login.body.accessToken,
      body: { name: 'x', kind: 'team' },
    });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ code: 'insufficient_scope' });
    const seen = await call<{ items: { id: string }[] }>('GET', '/api/v1/workspaces', {
      token: login.body.accessToken,
    });
    expect(seen.body.items.map((w) => w.id)).toEqual([a.workspace.id]);
    expect((await call('GET', '/api/v1/audit-log', { token: login.body.accessToken })).status).toBe(403);
    expect(
      (
        await call('PATCH', `/api/v1/members/${a.user.id}`, {
          token: login.body.accessToken,
          body: { role: 'agent' },
        })
      ).status,
    ).toBe(403);

    const members = await call<{ items: { id: string; role: string }[] }>('GET', '/api/v1/members', {
      token: a.accessToken,
    });
    expect(members.body.items.map((m) => [m.id, m.role]).sort()).toEqual(
      [
        [a.user.id, 'owner'],
        [carol.user.id, 'agent'],
      ].sort(),
    );

    const promoted = await call('PATCH', `/api/v1/members/${carol.user.id}`, {
      token: a.accessToken,
      body: { role: 'admin' },
    });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ role: 'admin', workspaceIds: [a.workspace.id] });
    const refreshed = await call<{ accessToken: string }>('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(await verify(refreshed.body.accessToken)).toMatchObject({ role: 'admin', ws: [a.workspace.id] });
    const limited = await call('POST', '/api/v1/workspaces', {
      token: refreshed.body.accessToken,
      body: { name: 'x', kind: 'team' },
    });
    expect(limited.status).toBe(403);
    expect(limited.body).toMatchObject({ code: 'workspace_limited' });
    const adminTouchesOwner = await call('PATCH', `/api/v1/members/${a.user.id}`, {
      token: refreshed.body.accessToken,
      body: { role: 'agent' },
    });
    expect(adminTouchesOwner.status).toBe(403);

    const ownRole = await call('PATCH', `/api/v1/members/${a.user.id}`, {
      token: a.accessToken,
      body: { role: 'admin' },
    });
    expect(ownRole.status).toBe(403);
    expect(ownRole.body).toMatchObject({ code: 'own_membership' });
    const role = await db.query(`SELECT role FROM identity.memberships WHERE user_id = $1`, [a.user.id]);
    expect(role.rows[0].role).toBe('owner');

    expect(
      (
        await call('PATCH', `/api/v1/members/${carol.user.id}`, {
          token: a.accessToken,
          body: { workspaceIds: [b.workspace.id] },
        })
      ).status,
    ).toBe(404);
    expect(
      (await call('PATCH', `/api/v1/members/${a.user.id}`, { token: b.accessToken, body: {} })).status,
    ).toBe(404); // another tenant's member
    await eventually(
      async () => events.filter((e) => e.envelope.type === 'user.updated' && e.key === carol.user.id).length,
      (n) => n >= 1,
      { what: 'user.updated on Kafka' },
    );
  });

  it('members: a workspace-limited admin grants only within its workspaces and never changes its own membership', async () => {
    const moveInto = async (who: Registered, role: string, workspaceIds: string[]): Promise<void> => {
      await db.query(
        `UPDATE identity.memberships SET organization_id = $1, role = $2, workspace_ids = $3 WHERE user_id = $4`,
        [a.organization.id, role, workspaceIds, who.user.id],
      );
    };
    const dave = await register('dave');
    const erin = await register('erin');
    await moveInto(dave, 'admin', [a.workspace.id]);
    await moveInto(erin, 'agent', [a.workspace.id]);
    const others = await db.query<{ id: string }>(
      `SELECT id FROM identity.workspaces WHERE organization_id = $1 AND id <> $2 LIMIT 1`,
      [a.organization.id, a.workspace.id],
    );
    const other = { body: others.rows[0] }; // created by the workspace step above
    expect(other.body).toBeDefined();
    const login = await call<{ accessToken: string; refreshToken: string }>('POST', '/api/v1/auth/login', {
      body: { email: dave.user.email, password: strongPassword },
    });
    expect(login.status).toBe(200);
    const token = login.body.accessToken;
    const patch = (userId: string, body: unknown) =>
      call('PATCH', `/api/v1/members/${userId}`, { token, body });

    for (const body of [
      { workspaceIds: null },
      { workspaceIds: [a.workspace.id, other.body.id] },
      { role: 'agent' },
    ]) {
      const own = await patch(dave.user.id, body);
      expect(own.status).toBe(403);
      expect(own.body).toMatchObject({ code: 'own_membership' });
    }
    for (const body of [{ workspaceIds: null }, { workspaceIds: [other.body.id] }]) {
      const colleague = await patch(erin.user.id, body);
      expect(colleague.status).toBe(403);
      expect(colleague.body).toMatchObject({ code: 'workspaces_not_held' });
    }
    const orgWide = await patch(a.user.id, { workspaceIds: [a.workspace.id] });
    expect(orgWide.status).toBe(403);
    const allowed = await patch(erin.user.id, { role: 'manager', workspaceIds: [a.workspace.id] });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ role: 'manager', workspaceIds: [a.workspace.id] });

    const rows = await db.query<{ user_id: string; workspace_ids: string[] | null }>(
      `SELECT user_id, workspace_ids FROM identity.memberships WHERE user_id = ANY($1)`,
      [[dave.user.id, erin.user.id]],
    );
    expect(rows.rows.map((r) => r.workspace_ids)).toEqual([[a.workspace.id], [a.workspace.id]]);
    const refreshed = await call<{ accessToken: string }>('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    expect(await verify(refreshed.body.accessToken)).toMatchObject({ role: 'admin', ws: [a.workspace.id] });
    const seen = await call<{ items: { id: string }[] }>('GET', '/api/v1/workspaces', {
      token: refreshed.body.accessToken,
    });
    expect(seen.body.items.map((w) => w.id)).toEqual([a.workspace.id]);
  });

  it('publishes organization, workspace and user events through the outbox with full envelopes', async () => {
    const mine = await eventually(
      async () => events.filter((e) => e.envelope.organizationId === a.organization.id),
      (found) =>
        ['organization.created', 'workspace.created', 'user.created'].every((t) =>
          found.some((e) => e.envelope.type === t),
        ),
      { what: 'registration events on Kafka' },
    );
    const byType = (type: string): ConsumedEvent =>
      mine.find((e) => e.envelope.type === type) as ConsumedEvent;
    const org = byType('organization.created');
    expect(org.topic).toBe(`${prefix}${Topics.identityOrganizations}`);
    expect(org.key).toBe(a.organization.id);
    expect(org.envelope).toMatchObject({
      version: 1,
      source: 'identity',
      aggregateId: a.organization.id,
      correlationId: expect.any(String),
      occurredAt: expect.any(String),
      payload: { id: a.organization.id, name: 'alice Leads', plan: 'free', status: 'active' },
    });
    expect(org.envelope.id).toMatch(/^[0-9a-f-]{36}$/);
    const ws = byType('workspace.created');
    expect(ws.topic).toBe(`${prefix}${Topics.identityWorkspaces}`);
    expect(ws.envelope).toMatchObject({
      workspaceId: a.workspace.id,
      aggregateId: a.workspace.id,
      payload: { id: a.workspace.id, organizationId: a.organization.id, kind: 'team', timezone: 'UTC' },
    });
    const user = byType('user.created');
    expect(user.topic).toBe(`${prefix}${Topics.identityUsers}`);
    expect(user.key).toBe(a.user.id);
    expect(user.envelope.payload).toEqual({
      id: a.user.id,
      organizationId: a.organization.id,
      email: a.user.email,
      name: 'alice',
      role: 'owner',
      active: true,
    });
    expect(JSON.stringify(user.envelope)).not.toContain('argon2');
  });

  it('keeps an audit log per organization, filterable by action', async () => {
    const all: { action: string }[] = [];
    let cursor: string | null = null;
    do {
      const res: Answer<{ items: { action: string }[]; nextCursor: string | null }> = await call(
        'GET',
        `/api/v1/audit-log?limit=5${cursor ? `&cursor=${cursor}` : ''}`,
        { token: a.accessToken },
      );
      expect(res.status).toBe(200);
      all.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    const actions = new Set(all.map((e) => e.action));
    for (const action of [
      'auth.registered',
      'auth.login_succeeded',
      'auth.login_failed',
      'auth.refresh_reuse_detected',
      'auth.logged_out',
      'workspace.created',
      'workspace.updated',
      'api_key.created',
      'api_key.revoked',
      'member.updated',
    ]) {
      expect({ action, logged: actions.has(action) }).toEqual({ action, logged: true });
    }
    const failed = await call<{ items: { action: string; ip: string }[] }>(
      'GET',
      '/api/v1/audit-log?action=auth.login_failed',
      { token: a.accessToken },
    );
    expect(failed.body.items.length).toBeGreaterThan(0);
    expect(failed.body.items.every((e) => e.action === 'auth.login_failed')).toBe(true);

    const bLog = await call<{ items: { action: string }[] }>('GET', '/api/v1/audit-log', {
      token: b.accessToken,
    });
    expect(bLog.body.items.map((e) => e.action)).toEqual(['auth.registered']);
  });

  it('rotates the signing key for operators only; the old key stays in the JWKS and old tokens still verify', async () => {
    expect((await call('POST', '/api/v1/signing-keys/rotate', { token: a.accessToken })).status).toBe(401);
    const oldKid = decodeProtectedHeader(a.accessToken).kid;
    const rotated = await call<{ kid: string; retiredKid: string }>('POST', '/api/v1/signing-keys/rotate', {
      headers: { 'X-Operator-Token': OPERATOR },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.retiredKid).toBe(oldKid);
    const jwks = await call<{ keys: JWK[] }>('GET', '/.well-known/jwks.json');
    expect(jwks.body.keys.map((k) => k.kid).sort()).toEqual([oldKid, rotated.body.kid].sort());
    expect((await call('GET', '/api/v1/me', { token: a.accessToken })).status).toBe(200);

    const fresh = await eventually(
      async () =>
        (
          await call<{ accessToken: string }>('POST', '/api/v1/auth/login', {
            body: { email: a.user.email, password: strongPassword },
            headers: { 'X-Forwarded-For': '198.51.100.200' },
          })
        ).body.accessToken,
      (token) => decodeProtectedHeader(token).kid === rotated.body.kid,
      { timeoutMs: 5_000, what: 'a token signed with the new key' },
    );
    expect((await verify(fresh)).sub).toBe(a.user.id);
    expect((await call('GET', '/api/v1/me', { token: fresh })).status).toBe(200);
  });
  describe('invitations and passwords', () => {
    interface Pair {
      accessToken: string;
      refreshToken: string;
    }
    interface InvitationBody {
      id: string;
      email: string;
      role: string;
      workspaceIds: string[] | null;
      expiresAt: string;
      status: string;
    }
    const newPassword = 'copper-lantern-meadow-77';
    const login = async (
      email: string,
      password = strongPassword,
      ip = '198.51.100.30',
    ): Promise<Answer<Pair>> =>
      call<Pair>('POST', '/api/v1/auth/login', {
        body: { email, password },
        headers: { 'X-Forwarded-For': ip },
      });
    const invite = (token: string, body: Record<string, unknown>): Promise<Answer<InvitationBody>> =>
      call<InvitationBody>('POST', '/api/v1/members', { token, body });
    const invitationToken = async (invitationId: string): Promise<string> => {
      const event = await eventually(
        async () => events.find((e) => e.envelope.type === 'user.invited' && e.key === invitationId),
        (found) => found !== undefined,
        { what: `user.invited for ${invitationId}` },
      );
      const token = openedMailToken((event as ConsumedEvent).envelope);
      await expectNowhereInClear(token, event as ConsumedEvent);
      return token;
    };
    const accept = (body: Record<string, unknown>): Promise<Answer<Pair & { code?: string }>> =>
      call<Pair & { code?: string }>('POST', '/api/v1/invitations/accept', { body });
    let owner: string;

    beforeAll(async () => {
      const res = await login(a.user.email);
      expect(res.status).toBe(200);
      owner = res.body.accessToken;
    });

    it('invites a new person: user.invited carries the token; accepting creates the user and membership, and login lands in the organization', async () => {
      const email = uniqueEmail('dave');
      const created = await invite(owner, { email, role: 'manager', workspaceIds: [a.workspace.id] });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        email: email.toLowerCase(),
        role: 'manager',
        workspaceIds: [a.workspace.id],
        status: 'pending',
      });
      const ttl = new Date(created.body.expiresAt).getTime() - Date.now();
      expect(ttl).toBeGreaterThan(167 * 3_600_000);
      expect(ttl).toBeLessThanOrEqual(168 * 3_600_000);

      const token = await invitationToken(created.body.id);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const event = events.find((e) => e.key === created.body.id) as ConsumedEvent;
      expect(event.topic).toBe(`${prefix}${Topics.identityUsers}`);
      expect(event.envelope).toMatchObject({
        organizationId: a.organization.id,
        payload: { invitationId: created.body.id, email: email.toLowerCase(), role: 'manager' },
      });
      const stored = await db.query<{ token_hash: Buffer }>(
        `SELECT token_hash FROM identity.invitations WHERE id = $1`,
        [created.body.id],
      );
      expect(stored.rows[0].token_hash.toString('base64url')).not.toBe(token);

      const pending = await call<{ items: InvitationBody[] }>('GET', '/api/v1/invitations?status=pending', {
        token: owner,
      });
      expect(pending.status).toBe(200);
      expect(pending.body.items.map((i) => i.id)).toContain(created.body.id);

      const noName = await accept({ token, password: strongPassword });
      expect(noName.status).toBe(422);
      expect(noName.body).toMatchObject({ errors: [expect.objectContaining({ field: 'name' })] });
      const weak = await accept({ token, name: 'Dave', password: 'short-pw-1' });
      expect(weak.status).toBe(422);
      expect(weak.body).toMatchObject({
        errors: [expect.objectContaining({ field: 'password', rule: 'minLength' })],
      });

      const accepted = await accept({ token, name: 'Dave', password: strongPassword });
      expect(accepted.status).toBe(200);
      const claims = await verify(accepted.body.accessToken);
      expect(claims).toMatchObject({ org: a.organization.id, role: 'manager', ws: [a.workspace.id] });
      expect(
        (await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: accepted.body.refreshToken } }))
          .status,
      ).toBe(200);

      const reuse = await accept({ token, name: 'Dave', password: strongPassword });
      expect(reuse.status).toBe(410);
      expect(reuse.body).toMatchObject({ code: 'invitation_used' });

      const dave = await login(email);
      expect(dave.status).toBe(200);
      expect(await verify(dave.body.accessToken)).toMatchObject({ sub: claims.sub, org: a.organization.id });
      const members = await call<{ items: { id: string; role: string }[] }>('GET', '/api/v1/members', {
        token: owner,
      });
      expect(members.body.items).toContainEqual(expect.objectContaining({ id: claims.sub, role: 'manager' }));
      const done = await call<{ items: InvitationBody[] }>('GET', '/api/v1/invitations?status=accepted', {
        token: owner,
      });
      expect(done.body.items.map((i) => i.id)).toEqual([created.body.id]);
      await eventually(
        async () => events.find((e) => e.envelope.type === 'user.created' && e.key === claims.sub),
        (found) => found?.envelope.organizationId === a.organization.id,
        { what: 'user.created for the invited user' },
      );
    });

    it('lets an existing account accept with its current password, opening a session in the new organization', async () => {
      const created = await invite(owner, { email: b.user.email, role: 'agent' });
      expect(created.status).toBe(201);
      const token = await invitationToken(created.body.id);
      const noPassword = await accept({ token });
      expect(noPassword.status).toBe(422);
      expect(noPassword.body).toMatchObject({ errors: [expect.objectContaining({ field: 'password' })] });
      const wrong = await accept({ token, password: 'wrong-password-123' });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toMatchObject({ code: 'invalid_credentials' });

      const accepted = await accept({ token, password: strongPassword });
      expect(accepted.status).toBe(200);
      expect(await verify(accepted.body.accessToken)).toMatchObject({
        sub: b.user.id,
        org: a.organization.id,
        role: 'agent',
      });
      expect((await invite(owner, { email: b.user.email, role: 'agent' })).body).toMatchObject({
        code: 'already_member',
      });
      await eventually(
        async () =>
          events.find(
            (e) =>
              e.envelope.type === 'user.updated' &&
              e.key === b.user.id &&
              e.envelope.organizationId === a.organization.id,
          ),
        (found) => found !== undefined,
        { what: 'user.updated for the existing user' },
      );
    });

    it('only owners invite owners; workspaces must be the organization’s; another tenant cannot revoke; revoked and expired invitations are refused', async () => {
      const adminEmail = uniqueEmail('erin-admin');
      const adminInvite = await invite(owner, { email: adminEmail, role: 'admin' });
      const admin = await accept({
        token: await invitationToken(adminInvite.body.id),
        name: 'Erin',
        password: strongPassword,
      });
      expect(admin.status).toBe(200);
      const ownerByAdmin = await invite(admin.body.accessToken, { email: uniqueEmail('x'), role: 'owner' });
      expect(ownerByAdmin.status).toBe(403);
      expect(ownerByAdmin.body).toMatchObject({ code: 'owner_required' });
      const foreignWorkspace = await invite(admin.body.accessToken, {
        email: uniqueEmail('x'),
        role: 'agent',
        workspaceIds: [b.workspace.id],
      });
      expect(foreignWorkspace.status).toBe(404);
      const bobInB = (await login(b.user.email)).body.accessToken; // primary membership: owner of B
      expect((await invite(bobInB, { email: uniqueEmail('x'), role: 'owner' })).status).toBe(201);

      const target = await invite(owner, { email: uniqueEmail('gina'), role: 'agent' });
      expect(target.status).toBe(201);
      const token = await invitationToken(target.body.id);
      expect(
        (await call('DELETE', `/api/v1/invitations/${target.body.id}`, { token: b.accessToken })).status,
      ).toBe(404);
      const listB = await call<{ items: InvitationBody[] }>('GET', '/api/v1/invitations', {
        token: b.accessToken,
      });
      expect(listB.body.items.map((i) => i.id)).not.toContain(target.body.id);
      const untouched = await db.query(`SELECT revoked_at FROM identity.invitations WHERE id = $1`, [
        target.body.id,
      ]);
      expect(untouched.rows[0].revoked_at).toBeNull();

      expect((await call('DELETE', `/api/v1/invitations/${target.body.id}`, { token: owner })).status).toBe(
        204,
      );
      const revoked = await call<{ items: InvitationBody[] }>('GET', '/api/v1/invitations?status=revoked', {
        token: owner,
      });
      expect(revoked.body.items.map((i) => i.id)).toContain(target.body.id);
      const refused = await accept({ token, name: 'Gina', password: strongPassword });
      expect(refused.status).toBe(410);
      expect(refused.body).toMatchObject({ code: 'invitation_revoked' });

      const late = await invite(owner, { email: uniqueEmail('hank'), role: 'agent' });
      const lateToken = await invitationToken(late.body.id);
      await db.query(
        `UPDATE identity.invitations SET expires_at = now() - interval '1 minute' WHERE id = $1`,
        [late.body.id],
      );
      const expired = await accept({ token: lateToken, name: 'Hank', password: strongPassword });
      expect(expired.status).toBe(410);
      expect(expired.body).toMatchObject({ code: 'invitation_expired' });
      const expiredList = await call<{ items: InvitationBody[] }>(
        'GET',
        '/api/v1/invitations?status=expired',
        {
          token: owner,
        },
      );
      expect(expiredList.body.items.map((i) => [i.id, i.status])).toEqual([[late.body.id, 'expired']]);
      expect((await accept({ token: 'x'.repeat(43), name: 'Nobody', password: strongPassword })).status).toBe(
        404,
      );
    });

    it('shows a workspace-limited admin only the audit entries of its workspaces', async () => {
      const other = await call<{ id: string }>('POST', '/api/v1/workspaces', {
        token: owner,
        body: { name: 'Audit other', kind: 'team' },
      });
      expect(other.status).toBe(201);
      const invited = await invite(owner, {
        email: uniqueEmail('lim-admin'),
        role: 'admin',
        workspaceIds: [other.body.id],
      });
      expect(invited.status).toBe(201);
      const joined = await accept({
        token: await invitationToken(invited.body.id),
        name: 'Lim',
        password: strongPassword,
      });
      expect(joined.status).toBe(200);
      const key = (workspaceId: string) =>
        call<{ id: string }>('POST', '/api/v1/api-keys', {
          token: owner,
          body: { name: `audit ${workspaceId}`, scopes: ['leads:read'], workspaceId },
        });
      const mainKey = await key(a.workspace.id);
      const otherKey = await key(other.body.id);
      expect([mainKey.status, otherKey.status]).toEqual([201, 201]);

      type Entry = { action: string; target: { id: string } | null; workspaceIds: string[] | null };
      const everything = async (token: string): Promise<Entry[]> => {
        const all: Entry[] = [];
        let cursor: string | null = null;
        do {
          const res: Answer<{ items: Entry[]; nextCursor: string | null }> = await call(
            'GET',
            `/api/v1/audit-log?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
            { token },
          );
          expect(res.status).toBe(200);
          all.push(...res.body.items);
          cursor = res.body.nextCursor;
        } while (cursor);
        return all;
      };
      const targets = (entries: Entry[]) => entries.map((e) => e.target?.id);
      const mine = await everything(joined.body.accessToken);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.every((e) => e.workspaceIds?.includes(other.body.id))).toBe(true);
      expect(targets(mine)).toEqual(
        expect.arrayContaining([other.body.id, otherKey.body.id, invited.body.id]),
      );
      expect(targets(mine)).not.toContain(mainKey.body.id);
      expect(mine.map((e) => e.action)).not.toContain('auth.registered');
      // The owner reads the whole organization's log, the organization-wide sign-ins included.
      const all = await everything(owner);
      expect(targets(all)).toEqual(
        expect.arrayContaining([mainKey.body.id, otherKey.body.id, a.organization.id]),
      );
      expect(all.some((e) => e.action === 'auth.login_succeeded' && e.workspaceIds === null)).toBe(true);
    });

    it('resets a forgotten password: 202 either way, the token on Kafka, every session revoked, single use, rate-limited', async () => {
      const ivy = await register('ivy');
      const second = await login(ivy.user.email);
      expect(second.status).toBe(200);
      // Two keys by ivy: one stays live (reported by the reset), one revoked (not reported).
      const createKey = async (name: string) => {
        const res = await call<{ id: string; name: string; prefix: string; workspaceId: string }>(
          'POST',
          '/api/v1/api-keys',
          {
            token: ivy.accessToken,
            body: { name, scopes: ['conversions:write'], workspaceId: ivy.workspace.id },
          },
        );
        expect(res.status).toBe(201);
        return res.body;
      };
      const liveKey = await createKey('ivy live key');
      const revokedKey = await createKey('ivy revoked key');
      expect(
        (await call('DELETE', `/api/v1/api-keys/${revokedKey.id}`, { token: ivy.accessToken })).status,
      ).toBeLessThan(300);

      const outboxBefore = await count('outbox');
      const unknown = await call('POST', '/api/v1/password-resets', {
        body: { email: uniqueEmail('ghost') },
      });
      expect(unknown.status).toBe(202);
      expect(await count('outbox')).toBe(outboxBefore);
      expect(await count('password_resets')).toBe(0);

      const requested = await call('POST', '/api/v1/password-resets', {
        body: { email: ivy.user.email.toUpperCase() },
      });
      expect(requested.status).toBe(202);
      const event = await eventually(
        async () =>
          events.find((e) => e.envelope.type === 'user.password_reset_requested' && e.key === ivy.user.id),
        (found) => found !== undefined,
        { what: 'user.password_reset_requested on Kafka' },
      );
      const { expiresAt } = (event as ConsumedEvent).envelope.payload as { expiresAt: string };
      const token = openedMailToken((event as ConsumedEvent).envelope);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      await expectNowhereInClear(token, event as ConsumedEvent);
      expect(new Date(expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(3_600_000);
      expect((event as ConsumedEvent).envelope.payload).toMatchObject({
        userId: ivy.user.id,
        email: ivy.user.email,
      });

      const weak = await call('POST', '/api/v1/password-resets/confirm', {
        body: { token, password: 'Password1234' },
      });
      expect(weak.status).toBe(422);
      expect(weak.body).toMatchObject({
        errors: [expect.objectContaining({ field: 'password', rule: 'notCommon' })],
      });

      const confirmed = await call('POST', '/api/v1/password-resets/confirm', {
        body: { token, password: newPassword },
      });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toEqual({
        sessionsRevoked: 2,
        liveApiKeys: [
          {
            id: liveKey.id,
            name: 'ivy live key',
            prefix: liveKey.prefix,
            workspaceId: ivy.workspace.id,
            organizationId: ivy.organization.id,
          },
        ],
      });
      expect(JSON.stringify(confirmed.body)).not.toContain(revokedKey.id);
      const keysAfter = await db.query<{ id: string; revoked: boolean }>(
        `SELECT id, revoked_at IS NOT NULL AS revoked FROM identity.api_keys WHERE created_by = $1 ORDER BY created_at`,
        [ivy.user.id],
      );
      expect(keysAfter.rows).toEqual([
        { id: liveKey.id, revoked: false },
        { id: revokedKey.id, revoked: true },
      ]);
      const liveRefreshTokens = await db.query(
        `SELECT 1 FROM identity.refresh_tokens t JOIN identity.sessions s ON s.id = t.session_id
          WHERE s.user_id = $1 AND (t.revoked_at IS NULL OR s.revoked_at IS NULL)`,
        [ivy.user.id],
      );
      expect(liveRefreshTokens.rowCount).toBe(0);
      for (const refreshToken of [ivy.refreshToken, second.body.refreshToken]) {
        expect((await call('POST', '/api/v1/auth/refresh', { body: { refreshToken } })).status).toBe(401);
      }
      expect((await login(ivy.user.email, strongPassword, '198.51.100.31')).status).toBe(401);
      expect((await login(ivy.user.email, newPassword, '198.51.100.31')).status).toBe(200);
      const again = await call('POST', '/api/v1/password-resets/confirm', {
        body: { token, password: newPassword },
      });
      expect(again.status).toBe(410);
      expect(again.body).toMatchObject({ code: 'reset_token_used' });

      // At most 3 per hour: one above, two more stored, the fourth silently dropped.
      for (let i = 0; i < 3; i++) {
        expect(
          (await call('POST', '/api/v1/password-resets', { body: { email: ivy.user.email } })).status,
        ).toBe(202);
      }
      const stored = await db.query(`SELECT 1 FROM identity.password_resets WHERE user_id = $1`, [
        ivy.user.id,
      ]);
      expect(stored.rowCount).toBe(3);

      const log = await call<{ items: { action: string }[] }>('GET', '/api/v1/audit-log', {
        token: (await login(ivy.user.email, newPassword, '198.51.100.31')).body.accessToken,
      });
      expect(log.body.items.map((e) => e.action)).toEqual(
        expect.arrayContaining(['password.reset_requested', 'password.reset']),
      );
    });

    it('changes a password: 403 for API keys, 401 on a wrong current password, then every refresh token is revoked', async () => {
      const jay = await register('jay');
      const second = await login(jay.user.email);
      const key = await call<{ key: string }>('POST', '/api/v1/api-keys', {
        token: jay.accessToken,
        body: { name: 'k', scopes: ['leads:read'] },
      });
      const exchanged = await call<{ accessToken: string }>('POST', '/internal/api-keys/exchange', {
        headers: { 'X-Api-Key': key.body.key },
      });
      const byKey = await call('POST', '/api/v1/me/password', {
        token: exchanged.body.accessToken,
        body: { currentPassword: strongPassword, newPassword },
      });
      expect(byKey.status).toBe(403);
      expect(byKey.body).toMatchObject({ code: 'user_token_required' });

      const wrong = await call('POST', '/api/v1/me/password', {
        token: jay.accessToken,
        body: { currentPassword: 'wrong-password-123', newPassword },
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toMatchObject({ code: 'invalid_credentials' });
      // Counts toward the account's sign-in throttle.
      const failures = await db.query(
        `SELECT 1 FROM identity.login_attempts WHERE email = $1 AND NOT succeeded`,
        [jay.user.email],
      );
      expect(failures.rowCount).toBe(1);
      const weak = await call('POST', '/api/v1/me/password', {
        token: jay.accessToken,
        body: { currentPassword: strongPassword, newPassword: 'short' },
      });
      expect(weak.status).toBe(422);
      expect(weak.body).toMatchObject({ errors: [expect.objectContaining({ field: 'newPassword' })] });

      const changed = await call('POST', '/api/v1/me/password', {
        token: jay.accessToken,
        body: { currentPassword: strongPassword, newPassword },
      });
      expect(changed.status).toBe(204);
      for (const refreshToken of [jay.refreshToken, second.body.refreshToken]) {
        expect((await call('POST', '/api/v1/auth/refresh', { body: { refreshToken } })).status).toBe(401);
      }
      const live = await db.query(
        `SELECT 1 FROM identity.refresh_tokens t JOIN identity.sessions s ON s.id = t.session_id
          WHERE s.user_id = $1 AND t.revoked_at IS NULL`,
        [jay.user.id],
      );
      expect(live.rowCount).toBe(0);
      expect((await login(jay.user.email, strongPassword, '198.51.100.32')).status).toBe(401);
      const fresh = await login(jay.user.email, newPassword, '198.51.100.32');
      expect(fresh.status).toBe(200);
      const log = await call<{ items: { action: string }[] }>(
        'GET',
        '/api/v1/audit-log?action=password.changed',
        {
          token: fresh.body.accessToken,
        },
      );
      expect(log.body.items).toHaveLength(1);
    });
  });
  describe('plans: changed by the operator, requested by owners', () => {
    const asOperator = { 'X-Operator-Token': OPERATOR };
    interface OrganizationBody {
      plan: string;
      quotas: Record<string, number | null>;
      pendingPlanRequest: {
        id: string;
        plan: string;
        requestedAt: string;
        requestedBy: { type: string; id: string };
      } | null;
    }
    const pendingOf = async (token: string): Promise<OrganizationBody['pendingPlanRequest']> => {
      const res = await call<OrganizationBody>('GET', '/api/v1/organizations/current', { token });
      expect(res.status).toBe(200);
      return res.body.pendingPlanRequest;
    };
    interface PlanRequestBody {
      id: string;
      organizationId: string;
      fromPlan: string;
      plan: string;
      note: string | null;
      status: string;
      requestedBy: { type: string; id: string };
      decisionReason: string | null;
    }
    interface AuditBody {
      items: {
        action: string;
        actor: { type: string; id: string | null };
        details: Record<string, unknown>;
      }[];
    }
    const planOf = async (organizationId: string): Promise<string> =>
      (
        await db.query<{ plan: string }>('SELECT plan FROM identity.organizations WHERE id = $1', [
          organizationId,
        ])
      ).rows[0].plan;

    it('refuses a plan in the owner’s PATCH with 422 naming plan and the request route; nothing changes', async () => {
      const owner = await register('planpatch');
      const token = owner.accessToken;
      for (const plan of ['enterprise', 'pro', 'platinum', null]) {
        const res = await call('PATCH', '/api/v1/organizations/current', { token, body: { plan } });
        expect(res.status).toBe(422);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(res.body).toMatchObject({
          errors: [
            {
              field: 'plan',
              rule: 'changedByOperator',
              message: expect.stringContaining('POST /api/v1/organizations/current/plan-requests'),
            },
          ],
        });
      }
      // With a valid name beside it, the whole body is refused: the name is not stored either.
      const mixed = await call('PATCH', '/api/v1/organizations/current', {
        token,
        body: { name: 'Renamed', plan: 'enterprise' },
      });
      expect(mixed.status).toBe(422);
      const current = await call<OrganizationBody & { name: string }>(
        'GET',
        '/api/v1/organizations/current',
        {
          token,
        },
      );
      expect(current.body).toMatchObject({ plan: 'free', name: 'planpatch Leads', quotas: { leads: 500 } });
      expect(await planOf(owner.organization.id)).toBe('free');
      const log = await call<AuditBody>('GET', '/api/v1/audit-log?action=organization.updated', { token });
      expect(log.body.items).toHaveLength(0);
      // Renaming alone still works.
      const renamed = await call('PATCH', '/api/v1/organizations/current', {
        token,
        body: { name: 'Renamed' },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ name: 'Renamed', plan: 'free' });
    });

    it('lets the operator set a plan: quotas follow at once, organization.updated is published, audited with before/after', async () => {
      const owner = await register('planop');
      const path = `/api/v1/organization-plans/${owner.organization.id}`;
      // Tenants' tokens never qualify; a wrong or absent operator token is refused; nothing changes.
      expect((await call('PUT', path, { token: owner.accessToken, body: { plan: 'pro' } })).status).toBe(401);
      expect((await call('PUT', path, { body: { plan: 'pro' } })).status).toBe(401);
      expect(
        (await call('PUT', path, { headers: { 'X-Operator-Token': `${OPERATOR}x` }, body: { plan: 'pro' } }))
          .status,
      ).toBe(401);
      expect(await planOf(owner.organization.id)).toBe('free');

      const bad = await call('PUT', path, { headers: asOperator, body: { plan: 'platinum' } });
      expect(bad.status).toBe(422);
      expect(bad.body).toMatchObject({ errors: [{ field: 'plan', rule: 'isIn' }] });
      const unknown = await call('PUT', `/api/v1/organization-plans/${uuidv7()}`, {
        headers: asOperator,
        body: { plan: 'pro' },
      });
      expect(unknown.status).toBe(404);

      const set = await call<OrganizationBody>('PUT', path, {
        headers: asOperator,
        body: { plan: 'pro', reason: 'signed contract' },
      });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ plan: 'pro', quotas: { leads: 25_000 } });
      const current = await call<OrganizationBody>('GET', '/api/v1/organizations/current', {
        token: owner.accessToken,
      });
      expect(current.body).toMatchObject({ plan: 'pro', quotas: { leads: 25_000 } });
      const event = await eventually(
        async () =>
          events.find((e) => e.envelope.type === 'organization.updated' && e.key === owner.organization.id),
        Boolean,
        { what: 'organization.updated on the organizations topic' },
      );
      expect(event?.envelope.payload).toMatchObject({ plan: 'pro', quotas: set.body.quotas });

      const log = await call<AuditBody>('GET', '/api/v1/audit-log?action=organization.plan_changed', {
        token: owner.accessToken,
      });
      expect(log.body.items).toHaveLength(1);
      expect(log.body.items[0]).toMatchObject({
        actor: { type: 'operator', id: null },
        details: {
          before: { plan: 'free', quotas: { leads: 500 } },
          after: { plan: 'pro', quotas: { leads: 25_000 } },
          reason: 'signed contract',
        },
      });
      // Setting the plan it already has changes nothing and audits nothing.
      expect((await call('PUT', path, { headers: asOperator, body: { plan: 'pro' } })).status).toBe(200);
      const again = await call<AuditBody>('GET', '/api/v1/audit-log?action=organization.plan_changed', {
        token: owner.accessToken,
      });
      expect(again.body.items).toHaveLength(1);
    });

    it('takes an owner’s request (one pending at a time); the operator approves it and the plan changes, audited', async () => {
      const owner = await register('planreq');
      const other = await register('planreq-other');
      const token = owner.accessToken;
      const requests = '/api/v1/organizations/current/plan-requests';

      const same = await call('POST', requests, { token, body: { plan: 'free' } });
      expect(same.status).toBe(422);
      expect(same.body).toMatchObject({ errors: [{ field: 'plan', rule: 'differsFromCurrentPlan' }] });
      const invalid = await call('POST', requests, { token, body: { plan: 'platinum' } });
      expect(invalid.status).toBe(422);
      expect(await count('plan_requests')).toBe(0);
      expect(await pendingOf(token)).toBeNull();

      const created = await call<PlanRequestBody>('POST', requests, {
        token,
        body: { plan: 'enterprise', note: 'we are growing' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        organizationId: owner.organization.id,
        fromPlan: 'free',
        plan: 'enterprise',
        note: 'we are growing',
        status: 'pending',
        requestedBy: { type: 'user', id: owner.user.id },
      });
      expect(await planOf(owner.organization.id)).toBe('free');
      const stored = await db.query<{ created_at: Date }>(
        'SELECT created_at FROM identity.plan_requests WHERE id = $1',
        [created.body.id],
      );
      expect(await pendingOf(token)).toEqual({
        id: created.body.id,
        plan: 'enterprise',
        requestedAt: stored.rows[0].created_at.toISOString(),
        requestedBy: { type: 'user', id: owner.user.id },
      });
      // Another organization's view does not show it.
      expect(await pendingOf(other.accessToken)).toBeNull();
      const second = await call('POST', requests, { token, body: { plan: 'pro' } });
      expect(second.status).toBe(409);
      expect(second.body).toMatchObject({ code: 'plan_request_pending' });
      expect(await count('plan_requests')).toBe(1);

      const own = await call<{ items: PlanRequestBody[]; nextCursor: string | null }>('GET', requests, {
        token,
      });
      expect(own.body.items.map((r) => r.id)).toEqual([created.body.id]);
      expect(own.body.nextCursor).toBeNull();
      // Another organization neither lists nor reads it.
      const theirs = await call<{ items: PlanRequestBody[] }>('GET', requests, { token: other.accessToken });
      expect(theirs.body.items).toEqual([]);
      expect((await call('GET', `${requests}/${created.body.id}`, { token: other.accessToken })).status).toBe(
        404,
      );
      expect((await call('GET', `${requests}/${created.body.id}`, { token })).status).toBe(200);

      // The operator's queue and decisions: the operator token only.
      const approve = `/api/v1/plan-requests/${created.body.id}/approve`;
      expect((await call('POST', approve, { token, body: {} })).status).toBe(401);
      expect((await call('GET', '/api/v1/plan-requests', { token })).status).toBe(401);
      expect(
        (await call('POST', `/api/v1/plan-requests/${uuidv7()}/approve`, { headers: asOperator, body: {} }))
          .status,
      ).toBe(404);
      const queue = await call<{ items: PlanRequestBody[] }>('GET', '/api/v1/plan-requests?limit=200', {
        headers: asOperator,
      });
      expect(queue.status).toBe(200);
      expect(queue.body.items.map((r) => r.id)).toContain(created.body.id);
      expect(queue.body.items.every((r) => r.status === 'pending')).toBe(true);

      const approved = await call<PlanRequestBody>('POST', approve, {
        headers: asOperator,
        body: { reason: 'contract signed' },
      });
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ status: 'approved', decisionReason: 'contract signed' });
      const current = await call<OrganizationBody>('GET', '/api/v1/organizations/current', { token });
      expect(current.body).toMatchObject({
        plan: 'enterprise',
        quotas: { leads: null },
        pendingPlanRequest: null,
      });
      const event = await eventually(
        async () =>
          events.find(
            (e) =>
              e.envelope.type === 'organization.updated' &&
              e.key === owner.organization.id &&
              e.envelope.payload.plan === 'enterprise',
          ),
        Boolean,
        { what: 'organization.updated with the approved plan' },
      );
      expect(event?.envelope.payload).toMatchObject({ quotas: { leads: null } });
      // Decided once: approving or declining again is a conflict; it left the operator's queue.
      expect((await call('POST', approve, { headers: asOperator, body: {} })).status).toBe(409);
      expect(
        (
          await call('POST', `/api/v1/plan-requests/${created.body.id}/decline`, {
            headers: asOperator,
            body: {},
          })
        ).status,
      ).toBe(409);
      const after = await call<{ items: PlanRequestBody[] }>('GET', '/api/v1/plan-requests?limit=200', {
        headers: asOperator,
      });
      expect(after.body.items.map((r) => r.id)).not.toContain(created.body.id);

      const log = await call<AuditBody>('GET', '/api/v1/audit-log?limit=200', { token });
      const actions = log.body.items.map((e) => `${e.action}:${e.actor.type}`);
      expect(actions).toEqual(
        expect.arrayContaining([
          'plan_request.created:user',
          'plan_request.approved:operator',
          'organization.plan_changed:operator',
        ]),
      );
      const changed = log.body.items.find((e) => e.action === 'organization.plan_changed');
      expect(changed?.details).toMatchObject({
        before: { plan: 'free' },
        after: { plan: 'enterprise' },
        requestId: created.body.id,
      });

      // A new request is accepted once none is pending; declining it leaves the plan as it is.
      const next = await call<PlanRequestBody>('POST', requests, { token, body: { plan: 'pro' } });
      expect(next.status).toBe(201);
      expect(next.body.fromPlan).toBe('enterprise');
      expect(await pendingOf(token)).toMatchObject({ id: next.body.id, plan: 'pro' });
      const declined = await call<PlanRequestBody>('POST', `/api/v1/plan-requests/${next.body.id}/decline`, {
        headers: asOperator,
        body: { reason: 'not now' },
      });
      expect(declined.status).toBe(200);
      expect(declined.body.status).toBe('declined');
      expect(await planOf(owner.organization.id)).toBe('enterprise');
      expect(await pendingOf(token)).toBeNull();
      const pendingOnly = await call<{ items: PlanRequestBody[] }>('GET', `${requests}?status=declined`, {
        token,
      });
      expect(pendingOnly.body.items.map((r) => r.id)).toEqual([next.body.id]);
    });

    it('keeps one pending request per organization when owners ask at the same time, and pages the list', async () => {
      const owner = await register('planrace');
      const token = owner.accessToken;
      const requests = '/api/v1/organizations/current/plan-requests';
      const answers = await Promise.all(
        ['pro', 'enterprise', 'pro', 'enterprise', 'pro'].map((plan) =>
          call('POST', requests, { token, body: { plan } }),
        ),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409]);
      const pending = await db.query(
        `SELECT id FROM identity.plan_requests WHERE organization_id = $1 AND status = 'pending'`,
        [owner.organization.id],
      );
      expect(pending.rowCount).toBe(1);

      // Decline it and ask again: two rows, listed oldest first, one per page with limit=1.
      const first = String(pending.rows[0].id);
      expect(
        (await call('POST', `/api/v1/plan-requests/${first}/decline`, { headers: asOperator, body: {} }))
          .status,
      ).toBe(200);
      const second = await call<PlanRequestBody>('POST', requests, { token, body: { plan: 'pro' } });
      expect(second.status).toBe(201);
      const page1 = await call<{ items: PlanRequestBody[]; nextCursor: string | null }>(
        'GET',
        `${requests}?limit=1`,
        { token },
      );
      expect(page1.body.items.map((r) => r.id)).toEqual([first]);
      expect(page1.body.nextCursor).toEqual(expect.any(String));
      const page2 = await call<{ items: PlanRequestBody[]; nextCursor: string | null }>(
        'GET',
        `${requests}?limit=1&cursor=${page1.body.nextCursor}`,
        { token },
      );
      expect(page2.body.items.map((r) => r.id)).toEqual([second.body.id]);
      expect(page2.body.nextCursor).toBeNull();
    });
  });

  it('counts leads per organization and month (UTC) from lead.created, once per event id', async () => {
    const owner = await register('usage');
    const token = owner.accessToken;
    const thisMonth = new Date().toISOString().slice(0, 7);
    const empty = await call<{ quotas: Record<string, unknown>; usage: Record<string, unknown> }>(
      'GET',
      '/api/v1/organizations/current',
      { token },
    );
    expect(empty.status).toBe(200);
    expect(empty.body.quotas).toMatchObject({ leads: 500 });
    expect(empty.body.usage).toEqual({
      period: thisMonth,
      leads: 0,
      enrichments: 0,
      emails: 0,
      sms: 0,
      callMinutes: 0,
    });

    // ingestion's events, as its outbox relay publishes them: keyed by the lead, so they stay in order.
    const leadId = uuidv7();
    const lead = (organizationId: string, at: string): LeadPayload => ({
      id: leadId,
      organizationId,
      workspaceId: owner.workspace.id,
      contactId: uuidv7(),
      vertical: 'solar',
      status: 'new',
      channel: 'webhook',
      attributes: {},
      consent: { granted: true },
      contactable: { phone: true, sms: true, email: false },
      tracking: {},
      priority: 1,
      tags: [],
      createdAt: at,
      updatedAt: at,
    });
    const leadCreated = (
      id: string,
      occurredAt: string,
      organizationId = owner.organization.id,
    ): Record<string, unknown> => ({
      id,
      type: LeadCreated.type,
      version: LeadCreated.version,
      occurredAt,
      source: 'ingestion',
      organizationId,
      workspaceId: owner.workspace.id,
      aggregateId: leadId,
      correlationId: uuidv7(),
      payload: lead(organizationId, occurredAt),
    });
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const publish = async (...envelopes: Record<string, unknown>[]): Promise<void> => {
      await producer?.send({
        topic: `${prefix}${LeadCreated.topic}`,
        acks: -1,
        messages: envelopes.map((e) => ({ key: leadId, value: JSON.stringify(e) })),
      });
    };
    const now = new Date().toISOString();
    const first = leadCreated(uuidv7(), now);
    const lastMonth = new Date();
    lastMonth.setUTCDate(1);
    lastMonth.setUTCMonth(lastMonth.getUTCMonth() - 1);
    const earlier = leadCreated(uuidv7(), lastMonth.toISOString());
    const unknownOrganization = leadCreated(uuidv7(), now, uuidv7());
    const last = leadCreated(uuidv7(), now);
    await publish(first);
    await publish(first); // redelivered: same event id
    await publish(earlier, unknownOrganization, last);

    // One partition, in order: once the last event is in the inbox, every earlier one was handled.
    await eventually(
      async () =>
        (await db.query(`SELECT 1 FROM identity.inbox WHERE consumer = 'usage' AND event_id = $1`, [last.id]))
          .rowCount,
      (n) => n === 1,
      { what: 'the usage consumer to handle the last lead.created' },
    );
    const counted = await call<{ usage: { period: string; leads: number } }>(
      'GET',
      '/api/v1/organizations/current',
      { token },
    );
    expect(counted.body.usage).toMatchObject({ period: thisMonth, leads: 2, enrichments: 0 });
    const months = await db.query<{ period: string; leads: string }>(
      `SELECT to_char(period, 'YYYY-MM') AS period, leads FROM identity.organization_usage
        WHERE organization_id = $1 ORDER BY period`,
      [owner.organization.id],
    );
    expect(months.rows).toEqual([
      { period: lastMonth.toISOString().slice(0, 7), leads: '1' },
      { period: thisMonth, leads: '2' },
    ]);
    // A lead of an organization identity does not have is dead-lettered, not counted anywhere.
    await eventually(
      async () =>
        (
          await db.query(`SELECT error_kind FROM identity.dead_letters WHERE event_id = $1`, [
            unknownOrganization.id,
          ])
        ).rows,
      (rows) => rows.length === 1,
      { what: 'the unknown organization event in the DLQ' },
    );
    expect(
      (
        await db.query(`SELECT 1 FROM identity.organization_usage WHERE organization_id = $1`, [
          unknownOrganization.organizationId,
        ])
      ).rowCount,
    ).toBe(0);
  });

  it('prunes login attempts older than twice the throttle window, in bounded batches', async () => {
    const email = uniqueEmail('pruned');
    await db.query(
      `INSERT INTO identity.login_attempts (id, email, ip, succeeded, created_at)
       SELECT gen_random_uuid(), $1, '198.51.100.99', false, now() - interval '31 minutes' - n * interval '1 second'
         FROM generate_series(1, 12000) AS n`,
      [email],
    );
    await db.query(
      `INSERT INTO identity.login_attempts (id, email, ip, succeeded, created_at)
       VALUES (gen_random_uuid(), $1, '198.51.100.99', false, now() - interval '25 minutes'),
              (gen_random_uuid(), $1, '198.51.100.99', true, now())`,
      [email],
    );
    const left = await eventually(
      async () =>
        (
          await db.query<{ n: string }>(
            `SELECT count(*) AS n FROM identity.login_attempts WHERE email = $1`,
            [email],
          )
        ).rows[0].n,
      (n) => n === '2',
      { timeoutMs: 20_000, what: 'expired login attempts to be pruned' },
    );
    expect(left).toBe('2');
    const oldest = await db.query<{ old: boolean }>(
      `SELECT min(created_at) < now() - interval '30 minutes' AS old FROM identity.login_attempts`,
    );
    expect(oldest.rows[0].old).not.toBe(true);
  });
});
