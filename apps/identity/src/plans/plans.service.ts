import type { Page, Plan } from '@leadflow/contracts';
import { OrganizationUpdated } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { ChangeRecorder, actorOf } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { tenantScopeOf } from '@leadflow/platform/auth';
import { NotFoundError } from '@leadflow/platform/errors';
import { UnitOfWork, nowMs, pageOf } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { AuditActions } from '../audit/audit-actions';
import type { OrganizationView, PendingPlanRequestView } from '../organizations/organization.view';
import { organizationPayload, toOrganizationView } from '../organizations/organization.view';
import { OrganizationEntity } from '../organizations/organization.entity';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { planQuotas } from '../organizations/plans';
import type {
  CreatePlanRequestDto,
  DecidePlanRequestDto,
  ListPlanRequestsQuery,
  PlanRequestView,
  SetPlanDto,
} from './dto/plan.dto';
import { toPendingPlanRequestView, toPlanRequestView } from './dto/plan.dto';
import { PlanRequestEntity } from './plan-request.entity';
import { PlanError, PlanErrorCode } from './plans.errors';
import { PlanRequestsRepository } from './plan-requests.repository';

const OPERATOR = { type: 'operator', id: null } as const;

/**
 * An organization's plan (and so its monthly quotas) is set only by the platform operator: directly,
 * or by approving an owner's request. Owners read their plan and ask for a change.
 */
@Injectable()
export class PlansService {
  constructor(
    private readonly organizations: OrganizationsRepository,
    private readonly requests: PlanRequestsRepository,
    private readonly uow: UnitOfWork,
    private readonly changes: ChangeRecorder,
  ) {}

  /** Operators: move an organization to a plan (its quotas follow at once). */
  async setPlan(organizationId: string, dto: SetPlanDto, client: ClientInfo): Promise<OrganizationView> {
    return this.uow.run(async (manager) => {
      const organization = await this.lockOrganization(manager, organizationId);
      return this.applyPlan(manager, organization, dto.plan, client, { reason: dto.reason ?? null });
    });
  }

  /** Owners: ask the operator for another plan; one pending request per organization. */
  async request(
    principal: Principal,
    dto: CreatePlanRequestDto,
    client: ClientInfo,
  ): Promise<PlanRequestView> {
    const scope = tenantScopeOf(principal);
    return this.uow.run(async (manager) => {
      // The organization's row serializes requests, so two at once cannot both be pending.
      const organization = await this.lockOrganization(manager, principal.organizationId);
      if (dto.plan === organization.plan)
        throw PlanError.of(PlanErrorCode.PlanUnchanged, { plan: organization.plan });
      const pending = await this.requests.findPending(manager, scope);
      if (pending) throw PlanError.of(PlanErrorCode.RequestPending, { pendingRequestId: pending.id });
      const now = nowMs();
      const request = Object.assign(new PlanRequestEntity(), {
        id: uuidv7(),
        organizationId: organization.id,
        requestedByType: principal.kind,
        requestedById: principal.id,
        fromPlan: organization.plan,
        plan: dto.plan,
        note: dto.note?.trim() ?? null,
        status: 'pending',
        decisionReason: null,
        decidedAt: null,
        createdAt: now,
        updatedAt: now,
      } satisfies PlanRequestEntity);
      await this.requests.insert(manager, scope, request);
      await this.changes.record(manager, {
        audit: {
          organizationId: organization.id,
          actor: actorOf(principal),
          action: AuditActions.planRequestCreated,
          target: { type: 'plan_request', id: request.id },
          client,
          details: { fromPlan: request.fromPlan, toPlan: request.plan },
        },
      });
      return toPlanRequestView(request);
    });
  }

  /** The caller's organization's requests, oldest first. */
  async list(principal: Principal, query: ListPlanRequestsQuery): Promise<Page<PlanRequestView>> {
    return pageOf(await this.requests.list(tenantScopeOf(principal), query), toPlanRequestView);
  }

  /** The organization's request awaiting the operator, or null (`GET /organizations/current`). */
  async pending(principal: Principal): Promise<PendingPlanRequestView | null> {
    const request = await this.requests.pendingOf(tenantScopeOf(principal));
    return request ? toPendingPlanRequestView(request) : null;
  }

  async get(principal: Principal, id: string): Promise<PlanRequestView> {
    return toPlanRequestView(await this.requests.get(tenantScopeOf(principal), id));
  }

  /** Operators: every organization's requests (pending unless `status` says otherwise), oldest first. */
  async listForOperator(query: ListPlanRequestsQuery): Promise<Page<PlanRequestView>> {
    const page = await this.requests.listAll({ ...query, status: query.status ?? 'pending' });
    return pageOf(page, toPlanRequestView);
  }

  /** Operators: approve a pending request; the plan changes exactly as `setPlan` changes it. */
  approve(id: string, dto: DecidePlanRequestDto, client: ClientInfo): Promise<PlanRequestView> {
    return this.decide(id, 'approved', dto, client);
  }

  decline(id: string, dto: DecidePlanRequestDto, client: ClientInfo): Promise<PlanRequestView> {
    return this.decide(id, 'declined', dto, client);
  }

  private async decide(
    id: string,
    status: 'approved' | 'declined',
    dto: DecidePlanRequestDto,
    client: ClientInfo,
  ): Promise<PlanRequestView> {
    const found = await this.requests.findAny(id);
    if (!found) throw new NotFoundError('plan request', id);
    const scope = { organizationId: found.organizationId };
    return this.uow.run(async (manager) => {
      // Same lock order as `request`: the organization, then the request.
      const organization = await this.lockOrganization(manager, found.organizationId);
      const request = await this.requests.lock(manager, scope, id);
      if (!request) throw new NotFoundError('plan request', id);
      if (request.status !== 'pending')
        throw PlanError.of(PlanErrorCode.RequestDecided, { requestId: id, status: request.status });
      const reason = dto.reason ?? null;
      if (status === 'approved') {
        await this.applyPlan(manager, organization, request.plan, client, { reason, requestId: id });
      }
      const now = nowMs();
      const decided = Object.assign(new PlanRequestEntity(), request, {
        status,
        decisionReason: reason,
        decidedAt: now,
        updatedAt: now,
      });
      await this.requests.update(manager, scope, id, {
        status,
        decisionReason: decided.decisionReason,
        decidedAt: decided.decidedAt,
        updatedAt: decided.updatedAt,
      });
      await this.changes.record(manager, {
        audit: {
          organizationId: organization.id,
          actor: OPERATOR,
          action: status === 'approved' ? AuditActions.planRequestApproved : AuditActions.planRequestDeclined,
          target: { type: 'plan_request', id },
          client,
          details: { fromPlan: request.fromPlan, toPlan: request.plan, reason },
        },
      });
      return toPlanRequestView(decided);
    });
  }

  /** The one path that changes a plan: quotas, `organization.updated` and the audit entry together. */
  private async applyPlan(
    manager: EntityManager,
    current: OrganizationEntity,
    plan: Plan,
    client: ClientInfo,
    details: { reason: string | null; requestId?: string },
  ): Promise<OrganizationView> {
    if (plan === current.plan) return toOrganizationView(current);
    const patch = { plan, quotas: planQuotas[plan], updatedAt: nowMs() };
    const updated = Object.assign(new OrganizationEntity(), current, patch);
    await this.organizations.update(manager, current.id, patch);
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
        actor: OPERATOR,
        action: AuditActions.organizationPlanChanged,
        target: { type: 'organization', id: current.id },
        client,
        details: {
          before: { plan: current.plan, quotas: current.quotas },
          after: { plan, quotas: patch.quotas },
          ...details,
        },
      },
    });
    return toOrganizationView(updated);
  }

  private async lockOrganization(manager: EntityManager, id: string): Promise<OrganizationEntity> {
    const organization = await this.organizations.lockOwn(manager, id);
    if (!organization) throw new NotFoundError('organization', id);
    return organization;
  }
}
