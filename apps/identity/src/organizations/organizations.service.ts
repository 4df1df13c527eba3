import { OrganizationUpdated } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { ChangeRecorder, actorOf } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { NotFoundError } from '@leadflow/platform/errors';
import { UnitOfWork, nowMs } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { AuditActions } from '../audit/audit-actions';
import { PlansService } from '../plans/plans.service';
import { UsageService } from '../usage/usage.service';
import type { UpdateOrganizationDto } from './dto/update-organization.dto';
import type { CurrentOrganizationView, OrganizationView } from './organization.view';
import { organizationPayload, toOrganizationView } from './organization.view';
import { OrganizationEntity } from './organization.entity';
import { OrganizationsRepository } from './organizations.repository';

/**
 * The caller's own organization: read by every member, renamed by owners. Its plan is the operator's
 * (plans/: set directly or by approving an owner's request).
 */
@Injectable()
export class OrganizationsService {
  constructor(
    private readonly organizations: OrganizationsRepository,
    private readonly uow: UnitOfWork,
    private readonly changes: ChangeRecorder,
    private readonly usage: UsageService,
    private readonly plans: PlansService,
  ) {}

  /**
   * The organization with this month's usage (UTC), so quotas and usage read side by side, and the
   * plan request awaiting the operator, if any.
   */
  async current(principal: Principal): Promise<CurrentOrganizationView> {
    const organization = await this.organizations.findOwn(principal.organizationId);
    if (!organization) throw new NotFoundError('Organization', principal.organizationId);
    const usage = await this.usage.ofMonth(organization.id, nowMs());
    const pendingPlanRequest = await this.plans.pending(principal);
    return { ...toOrganizationView(organization), usage, pendingPlanRequest };
  }

  async update(
    principal: Principal,
    dto: UpdateOrganizationDto,
    client: ClientInfo,
  ): Promise<OrganizationView> {
    return this.uow.run(async (manager) => {
      const current = await this.organizations.lockOwn(manager, principal.organizationId);
      if (!current) throw new NotFoundError('Organization', principal.organizationId);
      const patch: Partial<OrganizationEntity> = {};
      if (dto.name !== undefined && dto.name.trim() !== current.name) patch.name = dto.name.trim();
      if (Object.keys(patch).length === 0) return toOrganizationView(current);
      const updated = Object.assign(new OrganizationEntity(), current, patch, { updatedAt: nowMs() });
      await this.organizations.update(manager, current.id, { ...patch, updatedAt: updated.updatedAt });
      await this.changes.record(manager, {
        events: [
          {
            contract: OrganizationUpdated,
            aggregateId: current.id,
            organizationId: current.id,
            payload: organizationPayload(updated),
          },
        ],
        audit: {
          organizationId: current.id,
          actor: actorOf(principal),
          action: AuditActions.organizationUpdated,
          target: { type: 'organization', id: current.id },
          client,
          details: { changed: Object.keys(patch) },
        },
      });
      return toOrganizationView(updated);
    });
  }
}
