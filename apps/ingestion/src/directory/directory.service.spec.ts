import type { UserCopyEntity } from './directory.entities';
import { assigneeRefusal } from './directory.service';

const WORKSPACE = '0190f0a4-1111-7000-8000-0000000000a1';
const OTHER_WORKSPACE = '0190f0a4-1111-7000-8000-0000000000a2';

function user(overrides: Partial<UserCopyEntity>): UserCopyEntity {
  return Object.assign(
    {
      id: '0190f0a4-1111-7000-8000-0000000000b1',
      organizationId: '0190f0a4-1111-7000-8000-0000000000c1',
      role: 'agent',
      workspaceIds: null,
      active: true,
      eventAt: new Date(0),
    } satisfies UserCopyEntity,
    overrides,
  );
}

describe('who may be given a lead of a workspace', () => {
  it.each([
    ['an unknown user (or another organization’s)', null, 'member_exists'],
    ['a deactivated member', user({ active: false }), 'member_active'],
    [
      'a member limited to other workspaces',
      user({ workspaceIds: [OTHER_WORKSPACE] }),
      'member_of_workspace',
    ],
    ['a member of no workspace', user({ workspaceIds: [] }), 'member_of_workspace'],
    ['a member of every workspace', user({ workspaceIds: null }), null],
    ['a member limited to this workspace', user({ workspaceIds: [OTHER_WORKSPACE, WORKSPACE] }), null],
    ['an active owner', user({ role: 'owner' }), null],
  ])('%s', (_name, candidate, refusal) => {
    expect(assigneeRefusal(candidate, WORKSPACE)).toBe(refusal);
  });
});
