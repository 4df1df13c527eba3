import {
  eventually,
  openedMailToken,
  strongPassword,
  uniqueEmail as anyUniqueEmail,
} from '@leadflow/platform/testing';
import type { Answer, SignedUp } from '@leadflow/platform/testing';
import { Topics } from '@leadflow/contracts';
import type { Client } from 'pg';
import { identitySuite } from './identity-under-test';
import type { ConsumedEvent } from './identity-under-test';

type Registered = SignedUp;
/** Addresses in mixed case: identity must store and match them lower-cased. */
const uniqueEmail = (name: string): string => anyUniqueEmail(name, 'Example.com');

/** Invitations (sealed mail tokens, acceptance, revocation) and password changes and resets. */
describe('identity service: invitations and passwords (built process, real PostgreSQL and Kafka)', () => {
  const identity = identitySuite('identity_invitations');
  const { events, call, register, verify, count } = identity;
  let db: Client;
  let prefix: string;

  // Two signed-up organizations: `a` invites, `b`'s owner is invited into `a`.
  let a: Registered;
  let b: Registered;
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

  beforeAll(async () => {
    await identity.start();
    db = identity.db;
    prefix = identity.prefix;
    a = await register('alice');
    b = await register('bob');
  }, 120_000);

  afterAll(async () => {
    await identity.stop();
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
});
