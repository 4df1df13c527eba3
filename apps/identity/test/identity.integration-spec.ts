import { eventually, strongPassword, uniqueEmail as anyUniqueEmail } from '@leadflow/platform/testing';
import type { Answer, SignedUp } from '@leadflow/platform/testing';
import type { Role } from '@leadflow/contracts';
import { Topics, roleScopes } from '@leadflow/contracts';
import type { JWK } from 'jose';
import { decodeProtectedHeader } from 'jose';
import type { Client } from 'pg';
import { moveInto as moveMember } from './factories/organization.factory';
import { identitySuite, AUDIENCE, ISSUER } from './identity-under-test';
import type { ConsumedEvent } from './identity-under-test';

const OPERATOR = 'operator-token-identity-test';
type Registered = SignedUp;
/** Addresses in mixed case: identity must store and match them lower-cased. */
const uniqueEmail = (name: string): string => anyUniqueEmail(name, 'Example.com');

/** identity's core as a tenant drives it, step by step on one organization (`a`), the steps in order. */
describe('identity service: accounts, sessions, workspaces, API keys, members, events, audit (built process, real PostgreSQL and Kafka)', () => {
  const identity = identitySuite('identity', { LOGIN_ATTEMPT_PRUNE_INTERVAL_SECONDS: '1' });
  const { events, call, register, verify, count } = identity;
  let db: Client;
  let prefix: string;

  // State shared by the steps (they run in order).
  let a: Registered;
  let b: Registered;
  let apiKeyId: string;
  const counts = async (tables: string[]): Promise<number[]> => {
    const result: number[] = [];
    for (const table of tables) result.push(await count(table));
    return result;
  };

  beforeAll(async () => {
    await identity.start();
    db = identity.db;
    prefix = identity.prefix;
  }, 120_000);

  afterAll(async () => {
    await identity.stop();
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
    const moveInto = (who: Registered, role: Role, workspaceIds: string[]): Promise<void> =>
      moveMember(db, a, who, role, workspaceIds);
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
