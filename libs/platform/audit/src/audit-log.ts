import type { Page } from '@leadflow/contracts';
import type { Principal } from '@leadflow/platform/auth';
import { tenantScopeOf } from '@leadflow/platform/auth';
import { pageOf } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { AuditEntryEntity } from './audit-entry.entity';
import type { AuditEntryView } from './audit-entry.view';
import { toAuditEntryView } from './audit-entry.view';
import { AuditLogRepository } from './audit-log.repository';
import type { AuditRecord } from './audit-record';

/** The entry a record becomes (id UUIDv7, time at millisecond precision so cursors never skip a row). */
export function auditEntryOf(record: AuditRecord, now: Date = new Date(Date.now())): AuditEntryEntity {
  return Object.assign(new AuditEntryEntity(), {
    id: uuidv7(),
    organizationId: record.organizationId,
    actorType: record.actor.type,
    actorId: record.actor.id,
    action: record.action,
    targetType: record.target?.type ?? null,
    targetId: record.target?.id ?? null,
    workspaceIds: record.workspaceIds?.length ? [...record.workspaceIds] : null,
    ip: record.client?.ip ?? null,
    userAgent: record.client?.userAgent ?? null,
    details: record.details ?? {},
    createdAt: now,
  });
}

/**
 * A service's audit log (table `audit_log` in its own schema): every feature records its actions
 * inside its own transaction, and admins page through their organization's entries.
 */
@Injectable()
export class AuditLog {
  constructor(private readonly repository: AuditLogRepository) {}

  /** Writes an entry inside the caller's transaction (it stands or falls with the action). */
  async record(manager: EntityManager, record: AuditRecord): Promise<void> {
    await this.repository.insert(manager, auditEntryOf(record));
  }

  /**
   * The principal's organization's entries, newest first, optionally of one action; a principal
   * limited to some workspaces reads only the entries that concern one of them (never the
   * organization-wide ones: other members' sign-ins, invitations to every workspace...).
   */
  async list(
    principal: Principal,
    query: { limit: number; cursor?: string; action?: string },
  ): Promise<Page<AuditEntryView>> {
    return pageOf(await this.repository.list(tenantScopeOf(principal), query), toAuditEntryView);
  }
}
