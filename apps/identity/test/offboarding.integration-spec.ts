import { Topics } from '@leadflow/contracts';
import { eventually, strongPassword as password } from '@leadflow/platform/testing';
import type { CallOptions, SignedUp } from '@leadflow/platform/testing';
import type { Client } from 'pg';
import { addMember } from './factories/organization.factory';
import { IdentityUnderTest } from './identity-under-test';

type Registered = SignedUp;

interface Removed {
  id: string;
  sessionsRevoked: number;
  apiKeysRevoked: { id: string }[];
  apiKeysKept: { id: string }[];
}

describe('offboarding: DELETE /api/v1/members/{id} (built process, real PostgreSQL and Kafka)', () => {
  const identity = new IdentityUnderTest({
    name: 'identity_offboarding',
    port: 14_102,
    operatorToken: 'operator-token-offboarding-test',
    forwardedFor: '198.51.100.41',
    topics: [Topics.identityUsers],
  });
  let db: Client;
  /** user.removed events as the broker carries them. */
  const removedEvents = (): { key: string; payload: Record<string, unknown> }[] =>
    identity.events
      .filter((e) => e.envelope.type === 'user.removed')
      .map((e) => ({ key: e.key, payload: e.envelope.payload }));

  const call = <T = Record<string, unknown>>(method: string, path: string, options?: CallOptions) =>
    identity.call<T>(method, path, options);
  const register = (name: string): Promise<Registered> => identity.register(name);
  /** A fresh account moved into `org` with a role; signs in there. */
  const member = (org: Registered, name: string, role: 'admin' | 'manager' | 'agent'): Promise<Registered> =>
    addMember(identity.client, db, org, name, role);
  const createKey = async (owner: Registered, name: string): Promise<{ id: string; key: string }> => {
    const res = await call<{ id: string; key: string }>('POST', '/api/v1/api-keys', {
      token: owner.accessToken,
      body: { name, scopes: ['conversions:write'], workspaceId: owner.workspace.id },
    });
    expect(res.status).toBe(201);
    return res.body;
  };
  const exchange = async (key: string): Promise<number> =>
    (await call('POST', '/internal/api-keys/exchange', { headers: { 'X-Api-Key': key } })).status;
  const refresh = async (refreshToken: string): Promise<number> =>
    (await call('POST', '/api/v1/auth/refresh', { body: { refreshToken } })).status;

  beforeAll(async () => {
    await identity.start();
    db = identity.db;
  }, 120_000);

  afterAll(() => identity.stop());

  it('ends the removed member’s sessions and revokes their keys unless an owner keeps them; audited and evented', async () => {
    const owner = await register('owner');
    const bob = await member(owner, 'bob', 'admin');
    const carl = await member(owner, 'carl', 'admin');
    const bobKey = await createKey(bob, 'bob key');
    const carlKey = await createKey(carl, 'carl key');
    const ownerKey = await createKey(owner, 'owner key');
    expect(await exchange(bobKey.key)).toBe(200);

    // An admin may not keep keys (owner only), nor remove an owner; nobody removes the last owner.
    const keepByAdmin = await call('DELETE', `/api/v1/members/${bob.user.id}?keepApiKeys=true`, {
      token: carl.accessToken,
    });
    expect(keepByAdmin.status).toBe(403);
    expect(keepByAdmin.body).toMatchObject({ code: 'owner_required' });
    const ownerByAdmin = await call('DELETE', `/api/v1/members/${owner.user.id}`, {
      token: carl.accessToken,
    });
    expect(ownerByAdmin.status).toBe(403);
    const lastOwner = await call('DELETE', `/api/v1/members/${owner.user.id}`, { token: owner.accessToken });
    expect(lastOwner.status).toBe(409);
    expect(lastOwner.body).toMatchObject({ code: 'last_owner' });
    const stranger = await register('stranger');
    const foreign = await call('DELETE', `/api/v1/members/${bob.user.id}`, { token: stranger.accessToken });
    expect(foreign.status).toBe(404);
    expect(await refresh(bob.refreshToken)).toBe(200);
    // (that refresh rotated bob's token: sign in again for the one checked below)
    const bobLogin = await call<{ refreshToken: string }>('POST', '/api/v1/auth/login', {
      body: { email: bob.user.email, password },
    });

    const removed = await call<Removed>('DELETE', `/api/v1/members/${bob.user.id}`, {
      token: owner.accessToken,
    });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ id: bob.user.id, apiKeysKept: [] });
    expect(removed.body.sessionsRevoked).toBeGreaterThanOrEqual(2);
    expect(removed.body.apiKeysRevoked.map((k) => k.id)).toEqual([bobKey.id]);
    expect(await refresh(bobLogin.body.refreshToken)).toBe(401);
    expect(await exchange(bobKey.key)).toBe(401);
    expect(await exchange(ownerKey.key)).toBe(200);
    const bobSignsIn = await call('POST', '/api/v1/auth/login', {
      body: { email: bob.user.email, password },
    });
    expect(bobSignsIn.status).toBe(401); // no organization left
    expect(
      (await db.query(`SELECT 1 FROM identity.memberships WHERE user_id = $1`, [bob.user.id])).rowCount,
    ).toBe(0);

    const kept = await call<Removed>('DELETE', `/api/v1/members/${carl.user.id}?keepApiKeys=true`, {
      token: owner.accessToken,
    });
    expect(kept.status).toBe(200);
    expect(kept.body.apiKeysRevoked).toEqual([]);
    expect(kept.body.apiKeysKept.map((k) => k.id)).toEqual([carlKey.id]);
    expect(await refresh(carl.refreshToken)).toBe(401);
    expect(await exchange(carlKey.key)).toBe(200);

    const audit = await db.query<{ actor_id: string; target_id: string; details: Record<string, unknown> }>(
      `SELECT actor_id, target_id, details FROM identity.audit_log
        WHERE organization_id = $1 AND action = 'member.removed' ORDER BY created_at`,
      [owner.organization.id],
    );
    expect(audit.rows).toEqual([
      expect.objectContaining({
        actor_id: owner.user.id,
        target_id: bob.user.id,
        details: expect.objectContaining({ apiKeysRevoked: [bobKey.id], apiKeysKept: [] }),
      }),
      expect.objectContaining({
        target_id: carl.user.id,
        details: expect.objectContaining({ apiKeysRevoked: [], apiKeysKept: [carlKey.id] }),
      }),
    ]);
    await eventually(
      async () =>
        removedEvents()
          .map((e) => e.key)
          .sort(),
      (keys) => keys.length >= 2,
      { what: 'user.removed on Kafka (through the outbox)' },
    );
    expect(removedEvents().map((e) => e.payload)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: bob.user.id, organizationId: owner.organization.id }),
        expect.objectContaining({ id: carl.user.id, organizationId: owner.organization.id }),
      ]),
    );
    expect(removedEvents()).toHaveLength(2);
  });

  it('answers Cache-Control: no-store on every answer carrying a token or a secret', async () => {
    const email = `nostore.${Date.now()}@example.com`;
    const registered = await call<Registered>('POST', '/api/v1/auth/register', {
      body: { email, password, name: 'No Store', organizationName: 'No Store Leads' },
    });
    const login = await call<{ refreshToken: string }>('POST', '/api/v1/auth/login', {
      body: { email, password },
    });
    const refreshed = await call('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: login.body.refreshToken },
    });
    const key = await call<{ key: string }>('POST', '/api/v1/api-keys', {
      token: registered.body.accessToken,
      body: { name: 'k', scopes: ['conversions:write'], workspaceId: registered.body.workspace.id },
    });
    const exchanged = await call('POST', '/internal/api-keys/exchange', {
      headers: { 'X-Api-Key': key.body.key },
    });
    for (const [what, answer] of Object.entries({ registered, login, refreshed, key, exchanged })) {
      expect([what, answer.status < 300, answer.headers.get('cache-control')]).toEqual([
        what,
        true,
        'no-store',
      ]);
      // The security headers too: identity's own answers, not only the gateway's.
      expect([
        what,
        answer.headers.get('x-content-type-options'),
        answer.headers.get('x-frame-options'),
        answer.headers.get('referrer-policy'),
        answer.headers.get('content-security-policy'),
      ]).toEqual([what, 'nosniff', 'DENY', 'no-referrer', expect.stringContaining("frame-ancestors 'none'")]);
    }
    const me = await call('GET', '/api/v1/me', { token: registered.body.accessToken });
    expect(me.headers.get('cache-control')).not.toBe('no-store');
  });
});
