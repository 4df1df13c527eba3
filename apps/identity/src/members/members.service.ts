import type { Page } from '@leadflow/contracts';
import { UserUpdated } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { AuditLog, actorOf, concernedWorkspaces } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { tenantScopeOf } from '@leadflow/platform/auth';
import { NotFoundError } from '@leadflow/platform/errors';
import { OutboxWriter } from '@leadflow/platform/messaging';
import { toPage } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { AuditActions } from '../audit/audit-actions';
import { nowMs } from '../common/time';
import { UnitOfWork } from '../common/unit-of-work';
import type { MembershipEntity } from '../users/membership.entity';
import { userPayload } from '../users/user.view';
import { WorkspacesRepository } from '../workspaces/workspaces.repository';
import type { MemberView, UpdateMemberDto } from './dto/member.dto';
import { toMemberView } from './dto/member.dto';
import { LastOwnerError } from './members.errors';
import { grantRefusal } from './membership-grant';
import { MembersRepository } from './members.repository';

@Injectable()
export class MembersService {
  constructor(
    private readonly members: MembersRepository,
    private readonly workspaces: WorkspacesRepository,
    private readonly uow: UnitOfWork,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditLog,
  ) {}

  async list(principal: Principal, query: { limit: number; cursor?: string }): Promise<Page<MemberView>> {
    const rows = await this.members.list(tenantScopeOf(principal), query);
    const page = toPage(rows, query.limit, (r) => ({
      createdAt: r.membership.createdAt.toISOString(),
      id: r.membership.id,
    }));
    return { items: page.items.map((r) => toMemberView(r.membership, r.user)), nextCursor: page.nextCursor };
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
        throw new LastOwnerError();
      const updated = Object.assign(
        Object.create(Object.getPrototypeOf(membership) as object) as MembershipEntity,
        membership,
        patch,
        {
          updatedAt: nowMs(),
        },
      );
      await this.members.update(manager, scope, membership.id, { ...patch, updatedAt: updated.updatedAt });
      await this.outbox.add(manager, [
        {
          contract: UserUpdated,
          aggregateId: user.id,
          organizationId: principal.organizationId,
          payload: userPayload(user, updated),
        },
      ]);
      await this.audit.record(manager, {
        organizationId: principal.organizationId,
        actor: actorOf(principal),
        action: AuditActions.memberUpdated,
        target: { type: 'user', id: user.id },
        workspaceIds: concernedWorkspaces(membership.workspaceIds, updated.workspaceIds),
        client,
        details: { from: { role: membership.role, workspaceIds: membership.workspaceIds }, to: patch },
      });
      return toMemberView(updated, user);
    });
  }
}
