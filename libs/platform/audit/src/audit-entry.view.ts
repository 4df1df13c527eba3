import type { AuditEntryEntity } from './audit-entry.entity';

/** An audit entry as the API answers it. */
export interface AuditEntryView {
  id: string;
  actor: { type: string; id: string | null };
  action: string;
  target: { type: string; id: string } | null;
  /** The workspaces it concerns; null: the organization as a whole. */
  workspaceIds: string[] | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
  createdAt: string;
}

export function toAuditEntryView(e: AuditEntryEntity): AuditEntryView {
  return {
    id: e.id,
    actor: { type: e.actorType, id: e.actorId },
    action: e.action,
    target: e.targetType && e.targetId ? { type: e.targetType, id: e.targetId } : null,
    workspaceIds: e.workspaceIds,
    ip: e.ip,
    userAgent: e.userAgent,
    details: e.details,
    createdAt: e.createdAt.toISOString(),
  };
}
