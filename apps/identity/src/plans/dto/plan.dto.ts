import type { Plan } from '@leadflow/contracts';
import { Plans } from '@leadflow/contracts';
import { IsOmittable } from '@leadflow/platform/errors';
import { PageQuery } from '@leadflow/platform/persistence';
import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import type { PendingPlanRequestView } from '../../organizations/organization.view';
import type { PlanRequestEntity, PlanRequestStatus } from '../plan-request.entity';

export const PlanRequestStatuses: readonly PlanRequestStatus[] = ['pending', 'approved', 'declined'];

/** Operators: `PUT /api/v1/organization-plans/{organizationId}`. */
export class SetPlanDto {
  @IsIn(Plans)
  plan!: Plan;

  @IsOmittable()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason?: string;
}

/** Owners: `POST /api/v1/organizations/current/plan-requests`. */
export class CreatePlanRequestDto {
  @IsIn(Plans)
  plan!: Plan;

  @IsOmittable()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  note?: string;
}

/** Operators: approve or decline a request, optionally saying why. */
export class DecidePlanRequestDto {
  @IsOmittable()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason?: string;
}

export class ListPlanRequestsQuery extends PageQuery {
  @IsOmittable()
  @IsIn(PlanRequestStatuses)
  status?: PlanRequestStatus;
}

export interface PlanRequestView {
  id: string;
  organizationId: string;
  fromPlan: Plan;
  plan: Plan;
  note: string | null;
  status: PlanRequestStatus;
  requestedBy: { type: 'user' | 'api_key'; id: string };
  decisionReason: string | null;
  decidedAt: string | null;
  createdAt: string;
}

/** What `GET /organizations/current` shows of a pending request. */
export function toPendingPlanRequestView(r: PlanRequestEntity): PendingPlanRequestView {
  return {
    id: r.id,
    plan: r.plan,
    requestedAt: r.createdAt.toISOString(),
    requestedBy: { type: r.requestedByType, id: r.requestedById },
  };
}

export function toPlanRequestView(r: PlanRequestEntity): PlanRequestView {
  return {
    id: r.id,
    organizationId: r.organizationId,
    fromPlan: r.fromPlan,
    plan: r.plan,
    note: r.note,
    status: r.status,
    requestedBy: { type: r.requestedByType, id: r.requestedById },
    decisionReason: r.decisionReason,
    decidedAt: r.decidedAt ? r.decidedAt.toISOString() : null,
    createdAt: r.createdAt.toISOString(),
  };
}
