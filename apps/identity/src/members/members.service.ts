import type { Page } from '@leadflow/contracts';
import { UserRemoved, UserUpdated } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { ChangeRecorder, actorOf, concernedWorkspaces } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { hasRole, tenantScopeOf } from '@leadflow/platform/auth';
import { NotFoundError } from '@leadflow/platform/errors';
import { UnitOfWork, nowMs, pageOf } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { ApiKeysRepository } from '../api-keys/api-keys.repository';
import { AuditActions } from '../audit/audit-actions';
import { SessionsRepository } from '../auth/sessions.repository';
import type { MembershipEntity } from '../users/membership.entity';
import { userPayload } from '../users/user.view';
import { WorkspacesRepository } from '../workspaces/workspaces.repository';
import type { MemberView, RemovedMemberView, UpdateMemberDto } from './dto/member.dto';
import { toApiKeyRef, toMemberView } from './dto/member.dto';
import { MemberError, MemberErrorCode } from './members.errors';
import { grantRefusal } from './membership-grant';
import { MembersRepository } from './members.repository';

@Injectable()
export class MembersService {
  constructor(
    private readonly members: MembersRepository,
    private readonly workspaces: WorkspacesRepository,
    private readonly uow: UnitOfWork,
    private readonly changes: ChangeRecorder,
    private readonly sessions: SessionsRepository,
    private readonly apiKeys: ApiKeysRepository,
  ) {}

  async list(principal: Principal, query: { limit: number; cursor?: string }): Promise<Page<MemberView>> {
    const page = await this.members.list(tenantScopeOf(principal), query);
    return pageOf(page, (r) => toMemberView(r.membership, r.user));
  }

  /**
   * Changes a member's role or workspaces (admins and owners) within the grant rule
   * (membership-grant.ts: not one's own, no role above one's own, owners only by owners, a limited
   * principal only within its workspaces); the last owner cannot be demoted. Takes effect at the member's next token refresh.
   */
  async update(
    principal: Principal,
    userId: string,
    dto: UpdateMemberDto,
    client: ClientInfo,
  ): Promise<MemberView> {
    const scope = tenantScopeOf(principal);
    const workspaceIds =
      dto.workspaceIds === undefined ? undefined : dto.workspaceIds && [...new Set(dto.workspaceIds)];
    return this.uow.run(async (manager) => {
      const owners = await this.members.lockOwners(manager, scope);
      const { membership, user } = await this.members.lock(manager, scope, userId);
      const patch: Partial<MembershipEntity> = {};
      if (dto.role !== undefined && dto.role !== membership.role) patch.role = dto.role;
      if (workspaceIds !== undefined) patch.workspaceIds = workspaceIds;
      if (Object.keys(patch).length === 0) return toMemberView(membership, user);
      const refusal = grantRefusal(
        principal,
        { userId: user.id, role: membership.role, workspaceIds: membership.workspaceIds },
        patch,
      );
      if (refusal) throw refusal;
      if (workspaceIds) {
        const found = new Set(await this.workspaces.existing(scope, workspaceIds));
        const unknown = workspaceIds.find((id) => !found.has(id));
        if (unknown) throw new NotFoundError('workspace', unknown);
      }
      if (membership.role === 'owner' && patch.role !== undefined && owners.length <= 1)
        throw MemberError.of(MemberErrorCode.LastOwner);
      const updated = Object.assign(
        Object.create(Object.getPrototypeOf(membership) as object) as MembershipEntity,
        membership,
        patch,
        {
          updatedAt: nowMs(),
        },
      );
      await this.members.update(manager, scope, membership.id, { ...patch, updatedAt: updated.updatedAt });
      await this.changes.record(manager, {
        events: [
          {
            contract: UserUpdated,
            aggregateId: user.id,
            organizationId: principal.organizationId,
            payload: userPayload(user, updated),
          },
        ],
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: AuditActions.memberUpdated,
          target: { type: 'user', id: user.id },
          workspaceIds: concernedWorkspaces(membership.workspaceIds, updated.workspaceIds),
          client,
          details: { from: { role: membership.role, workspaceIds: membership.workspaceIds }, to: patch },
        },
      });
      return toMemberView(updated, user);
    });
  }

  /**
   * Offboards a member (within the grant rule; leaving on one's own is allowed): the membership
   * goes, the member's sessions in the organization end, and the API keys they created are
   * revoked unless an owner keeps them (`keepApiKeys`, listed in the answer and the audit entry).
   * The last owner stays (409 last_owner). Audited (member.removed), evented (user.removed).
   */
  async remove(
    principal: Principal,
    userId: string,
    keepApiKeys: boolean,
    client: ClientInfo,
  ): Promise<RemovedMemberView> {
    const scope = tenantScopeOf(principal);
    return this.uow.run(async (manager) => {
      const owners = await this.members.lockOwners(manager, scope);
      const { membership, user } = await this.members.lock(manager, scope, userId);
      const refusal = grantRefusal(
        principal,
        { userId: user.id, role: membership.role, workspaceIds: membership.workspaceIds },
        { remove: true },
      );
      if (refusal) throw refusal;
      if (keepApiKeys && !hasRole(principal, 'owner')) throw MemberError.of(MemberErrorCode.OwnerRequired);
      if (membership.role === 'owner' && owners.length <= 1) throw MemberError.of(MemberErrorCode.LastOwner);
      const now = nowMs();
      await this.members.remove(manager, scope, membership.id);
      const sessionsRevoked = await this.sessions.revokeAllOfUser(
        manager,
        user.id,
        'member_removed',
        now,
        principal.organizationId,
      );
      const keys = await this.apiKeys.liveCreatedBy(manager, user.id, now, principal.organizationId);
      if (!keepApiKeys) {
        for (const key of keys) {
          await this.apiKeys.revoke(manager, { organizationId: principal.organizationId }, key.id, now);
        }
      }
      const result: RemovedMemberView = {
        id: user.id,
        sessionsRevoked,
        apiKeysRevoked: keepApiKeys ? [] : keys.map(toApiKeyRef),
        apiKeysKept: keepApiKeys ? keys.map(toApiKeyRef) : [],
      };
      await this.changes.record(manager, {
        events: [
          {
            contract: UserRemoved,
            aggregateId: user.id,
            organizationId: principal.organizationId,
            payload: { id: user.id, organizationId: principal.organizationId, removedAt: now.toISOString() },
          },
        ],
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: AuditActions.memberRemoved,
          target: { type: 'user', id: user.id },
          workspaceIds: membership.workspaceIds,
          client,
          details: {
            role: membership.role,
            workspaceIds: membership.workspaceIds,
            sessionsRevoked,
            apiKeysRevoked: result.apiKeysRevoked.map((k) => k.id),
            apiKeysKept: result.apiKeysKept.map((k) => k.id),
          },
        },
      });
      return result;
    });
  }
}
