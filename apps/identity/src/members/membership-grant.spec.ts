import type { GrantActor } from './membership-grant';
import { grantRefusal } from './membership-grant';

const W1 = '00000000-0000-7000-8000-000000000001';
const W2 = '00000000-0000-7000-8000-000000000002';
const owner: GrantActor = { kind: 'user', id: 'u-owner', role: 'owner' };
const admin: GrantActor = { kind: 'user', id: 'u-admin', role: 'admin' };
const limitedAdmin: GrantActor = { kind: 'user', id: 'u-limited', role: 'admin', workspaceIds: [W1] };
const agentIn = (workspaceIds: string[] | null) => ({
  userId: 'u-agent',
  role: 'agent' as const,
  workspaceIds,
});
const code = (refusal: ReturnType<typeof grantRefusal>): string | null => refusal?.code ?? null;

describe('grantRefusal (the one rule for invitations and member changes)', () => {
  it('lets an organization-wide admin change an agent, and an owner grant the owner role', () => {
    expect(grantRefusal(admin, agentIn([W1]), { role: 'manager', workspaceIds: null })).toBeNull();
    expect(grantRefusal(owner, agentIn(null), { role: 'owner' })).toBeNull();
    expect(grantRefusal(owner, null, { role: 'owner', workspaceIds: null })).toBeNull();
  });

  it('refuses changes to one’s own membership, even to an owner (own_membership)', () => {
    const self = { userId: owner.id, role: 'owner' as const, workspaceIds: null };
    expect(code(grantRefusal(owner, self, { role: 'admin' }))).toBe('own_membership');
    const selfLimited = { userId: limitedAdmin.id, role: 'admin' as const, workspaceIds: [W1] };
    expect(code(grantRefusal(limitedAdmin, selfLimited, { workspaceIds: null }))).toBe('own_membership');
    expect(code(grantRefusal(limitedAdmin, selfLimited, { workspaceIds: [W1, W2] }))).toBe('own_membership');
  });

  it('does not take an API key whose id equals a user id for that user', () => {
    const key: GrantActor = { kind: 'api_key', id: 'u-agent', role: 'admin' };
    expect(grantRefusal(key, agentIn(null), { role: 'manager' })).toBeNull();
  });

  it('requires an owner to grant the owner role or to change an owner (owner_required)', () => {
    expect(code(grantRefusal(admin, agentIn(null), { role: 'owner' }))).toBe('owner_required');
    expect(code(grantRefusal(admin, null, { role: 'owner', workspaceIds: null }))).toBe('owner_required');
    const otherOwner = { userId: 'u-other', role: 'owner' as const, workspaceIds: null };
    expect(code(grantRefusal(admin, otherOwner, { role: 'agent' }))).toBe('owner_required');
    expect(code(grantRefusal(admin, otherOwner, { remove: true }))).toBe('owner_required');
  });

  it('refuses a role above one’s own, granted or held by the target (role_above_own)', () => {
    const manager: GrantActor = { kind: 'user', id: 'u-manager', role: 'manager' };
    expect(code(grantRefusal(manager, null, { role: 'admin', workspaceIds: null }))).toBe('role_above_own');
    const anAdmin = { userId: 'u-admin2', role: 'admin' as const, workspaceIds: null };
    expect(code(grantRefusal(manager, anAdmin, { role: 'agent' }))).toBe('role_above_own');
  });

  it('lets a limited principal grant only a non-null subset of its workspaces (workspaces_not_held)', () => {
    expect(grantRefusal(limitedAdmin, agentIn([W1]), { role: 'manager' })).toBeNull();
    expect(grantRefusal(limitedAdmin, null, { role: 'agent', workspaceIds: [W1] })).toBeNull();
    expect(grantRefusal(limitedAdmin, agentIn([W1]), { workspaceIds: [] })).toBeNull();
    for (const workspaceIds of [null, [W2], [W1, W2]]) {
      expect(code(grantRefusal(limitedAdmin, agentIn([W1]), { workspaceIds }))).toBe('workspaces_not_held');
      expect(code(grantRefusal(limitedAdmin, null, { role: 'agent', workspaceIds }))).toBe(
        'workspaces_not_held',
      );
    }
  });

  it('keeps a limited principal off members holding workspaces it does not hold', () => {
    expect(code(grantRefusal(limitedAdmin, agentIn(null), { role: 'manager' }))).toBe('workspaces_not_held');
    expect(code(grantRefusal(limitedAdmin, agentIn([W1, W2]), { workspaceIds: [W1] }))).toBe(
      'workspaces_not_held',
    );
    expect(code(grantRefusal(limitedAdmin, agentIn(null), { remove: true }))).toBe('workspaces_not_held');
  });
});
