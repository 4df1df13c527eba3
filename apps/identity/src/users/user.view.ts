import type { UserPayload } from '@leadflow/contracts';
import type { MembershipEntity } from './membership.entity';
import type { UserEntity } from './user.entity';

export interface UserView {
  id: string;
  email: string;
  name: string;
  active: boolean;
  createdAt: string;
}

export function toUserView(u: UserEntity): UserView {
  return { id: u.id, email: u.email, name: u.name, active: u.active, createdAt: u.createdAt.toISOString() };
}

export function userPayload(u: UserEntity, m: MembershipEntity): UserPayload {
  return {
    id: u.id,
    organizationId: m.organizationId,
    email: u.email,
    name: u.name,
    role: m.role,
    ...(m.workspaceIds ? { workspaceIds: m.workspaceIds } : {}),
    active: u.active,
  };
}
