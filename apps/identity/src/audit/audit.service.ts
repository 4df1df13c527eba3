import type { Page } from '@leadflow/contracts';
import type { Principal } from '@leadflow/platform/auth';
import { tenantScopeOf } from '@leadflow/platform/auth';
import { toPage } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { ClientInfo } from '../common/client-info';
import { nowMs } from '../common/time';
import type { AuditActorType } from './audit-entry.entity';
import { AuditEntryEntity } from './audit-entry.entity';
import { AuditRepository } from './audit.repository';
import type { AuditEntryView } from './dto/audit-entry.view';
import { toAuditEntryView } from './dto/audit-entry.view';

/** Audited actions (stable names, filterable). */
export const AuditActions = {
  register: 'auth.registered',
  loginSucceeded: 'auth.login_succeeded',
  loginFailed: 'auth.login_failed',
  refreshReuseDetected: 'auth.refresh_reuse_detected',
  logout: 'auth.logged_out',
  apiKeyCreated: 'api_key.created',
  apiKeyRevoked: 'api_key.revoked',
  workspaceCreated: 'workspace.created',
  workspaceUpdated: 'workspace.updated',
  organizationUpdated: 'organization.updated',
  signingKeyRotated: 'signing_key.rotated',
  memberUpdated: 'member.updated',
  invitationCreated: 'invitation.created',
  invitationRevoked: 'invitation.revoked',
  invitationAccepted: 'invitation.accepted',
  passwordResetRequested: 'password.reset_requested',
  passwordReset: 'password.reset',
  passwordChanged: 'password.changed',
} as const;
export type AuditAction = (typeof AuditActions)[keyof typeof AuditActions];

export interface AuditRecord {
  /** null only for platform-level actions. */
  organizationId: string | null;
  actor: { type: AuditActorType; id: string | null };
  action: AuditAction;
  target?: { type: string; id: string };
  client?: ClientInfo;
  details?: Record<string, unknown>;
}

export function actorOf(principal: Principal): AuditRecord['actor'] {
  return { type: principal.kind, id: principal.id };
}

@Injectable()
export class AuditService {
  constructor(private readonly repository: AuditRepository) {}

  /** Writes an entry inside the caller's transaction (it stands or falls with the action). */
  async record(manager: EntityManager, record: AuditRecord): Promise<void> {
    const entry = new AuditEntryEntity();
    Object.assign(entry, {
      id: uuidv7(),
      organizationId: record.organizationId,
      actorType: record.actor.type,
      actorId: record.actor.id,
      action: record.action,
      targetType: record.target?.type ?? null,
      targetId: record.target?.id ?? null,
      ip: record.client?.ip ?? null,
      userAgent: record.client?.userAgent ?? null,
      details: record.details ?? {},
      createdAt: nowMs(),
    });
    await this.repository.insert(manager, entry);
  }

  async list(
    principal: Principal,
    query: { limit: number; cursor?: string; action?: string },
  ): Promise<Page<AuditEntryView>> {
    const rows = await this.repository.list(tenantScopeOf(principal), query);
    const page = toPage(rows, query.limit, (r) => ({ createdAt: r.createdAt.toISOString(), id: r.id }));
    return { items: page.items.map(toAuditEntryView), nextCursor: page.nextCursor };
  }
}
