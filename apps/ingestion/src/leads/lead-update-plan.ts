import type { LeadStatus } from '@leadflow/contracts';
import { ClosingLeadStatuses, LeadStatusTransitions, canChangeLeadStatus } from '@leadflow/contracts';
import type { UpdateLeadDto } from './dto/lead.dto';
import type { ActivityType } from './lead-history.entities';
import type { LeadEntity } from './lead.entity';
import { LeadError, LeadErrorCode } from './leads.errors';

/** A timeline entry the update implies (the service gives it its id, lead and actor). */
export interface PlannedActivity {
  type: ActivityType;
  title: string;
  metadata: Record<string, unknown>;
}

export interface StatusChange {
  from: LeadStatus;
  to: LeadStatus;
  reason: string | null;
}

/** What a lead update changes, and what it implies. */
export interface LeadUpdatePlan {
  /** The lead's changed columns, `updatedAt` aside; empty: nothing changes, nothing is stored. */
  patch: Partial<LeadEntity>;
  /** A new pipeline stage, to be found in the lead's workspace before anything is stored. */
  stageToCheck: string | null;
  /** The status change to record in the status history and announce as `lead.status_changed`. */
  statusChange: StatusChange | null;
  activities: PlannedActivity[];
  /** The fields `lead.updated` and the audit entry name (the status bookkeeping columns left out). */
  changed: string[];
  /** Whether `lead.updated` is announced: something other than the status changed. */
  announceUpdated: boolean;
  /** The audit entry's details. */
  auditDetails: { changed: string[]; status?: StatusChange };
}

/** What a lead's fields are before the update. */
export type LeadBeforeUpdate = Pick<
  LeadEntity,
  'status' | 'stageId' | 'assignedTo' | 'priority' | 'followUpAt' | 'tags'
>;

const STATUS_BOOKKEEPING = ['statusReason', 'statusChangedAt', 'statusChangedBy'];

/**
 * Plans an update of a lead by `changedBy` at `now`: only fields that differ from the lead count;
 * a status change must be a transition the status machine allows (InvalidStatusTransitionError)
 * and a closing status needs a reason (StatusReasonRequiredError). Each kind of change implies its
 * timeline entry, in this order: status, stage, assignment, then the plain fields (priority,
 * follow-up, tags — the tags de-duplicated and trimmed) together.
 */
export function planLeadUpdate(
  current: LeadBeforeUpdate,
  dto: UpdateLeadDto,
  changedBy: string,
  now: Date,
): LeadUpdatePlan {
  const patch: Partial<LeadEntity> = {};
  const activities: PlannedActivity[] = [];
  const activity = (type: ActivityType, title: string, metadata: Record<string, unknown>): void => {
    activities.push({ type, title, metadata });
  };

  let statusChange: StatusChange | null = null;
  if (dto.status !== undefined && dto.status !== current.status) {
    if (!canChangeLeadStatus(current.status, dto.status)) {
      throw LeadError.of(LeadErrorCode.InvalidStatusTransition, {
        from: current.status,
        to: dto.status,
        allowed: LeadStatusTransitions[current.status],
      });
    }
    if (ClosingLeadStatuses.includes(dto.status) && !dto.statusReason)
      throw LeadError.of(LeadErrorCode.ReasonRequired, { to: dto.status });
    statusChange = { from: current.status, to: dto.status, reason: dto.statusReason ?? null };
    Object.assign(patch, {
      status: dto.status,
      statusReason: dto.statusReason ?? null,
      statusChangedAt: now,
      statusChangedBy: changedBy,
    });
    activity('status_change', `Status changed to ${dto.status}`, { ...statusChange });
  }
  let stageToCheck: string | null = null;
  if (dto.stageId !== undefined && dto.stageId !== current.stageId) {
    stageToCheck = dto.stageId;
    patch.stageId = dto.stageId;
    activity('stage_change', 'Pipeline stage changed', { from: current.stageId, to: dto.stageId });
  }
  if (dto.assignedTo !== undefined && dto.assignedTo !== current.assignedTo) {
    patch.assignedTo = dto.assignedTo;
    activity('assignment', dto.assignedTo ? 'Lead assigned' : 'Lead unassigned', {
      from: current.assignedTo,
      to: dto.assignedTo,
    });
  }
  const simple: Partial<LeadEntity> = {};
  if (dto.priority !== undefined && dto.priority !== current.priority) simple.priority = dto.priority;
  const followUpAt =
    dto.followUpAt === undefined ? undefined : dto.followUpAt === null ? null : new Date(dto.followUpAt);
  if (followUpAt !== undefined && followUpAt?.getTime() !== current.followUpAt?.getTime()) {
    simple.followUpAt = followUpAt;
  }
  if (dto.tags !== undefined) {
    const tags = [...new Set(dto.tags.map((t) => t.trim()))];
    if (JSON.stringify(tags) !== JSON.stringify(current.tags)) simple.tags = tags;
  }
  if (Object.keys(simple).length > 0) {
    Object.assign(patch, simple);
    activity('update', 'Lead updated', {
      changed: Object.keys(simple),
      ...(simple.followUpAt !== undefined ? { followUpAt: simple.followUpAt?.toISOString() ?? null } : {}),
    });
  }

  const changed = Object.keys(patch).filter((k) => !STATUS_BOOKKEEPING.includes(k));
  return {
    patch,
    stageToCheck,
    statusChange,
    activities,
    changed,
    announceUpdated: changed.some((k) => k !== 'status'),
    auditDetails: { changed, ...(statusChange ? { status: statusChange } : {}) },
  };
}
