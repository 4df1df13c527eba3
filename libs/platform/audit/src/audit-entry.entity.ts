import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AuditActorType } from './audit-record';

/**
 * One audited action, in the table `audit_log` of the service's own schema (the DataSource's
 * schema). `organizationId` is null only for platform-level actions; it is typed as a string so
 * that tenant-scoped reads go through TenantRepository, which never matches null.
 */
@Entity({ name: 'audit_log' })
export class AuditEntryEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id', nullable: true }) organizationId!: string;
  @Column('text', { name: 'actor_type' }) actorType!: AuditActorType;
  @Column('text', { name: 'actor_id', nullable: true }) actorId!: string | null;
  @Column('text') action!: string;
  @Column('text', { name: 'target_type', nullable: true }) targetType!: string | null;
  @Column('text', { name: 'target_id', nullable: true }) targetId!: string | null;
  @Column('uuid', { name: 'workspace_ids', array: true, nullable: true }) workspaceIds!: string[] | null;
  @Column('text', { nullable: true }) ip!: string | null;
  @Column('text', { name: 'user_agent', nullable: true }) userAgent!: string | null;
  @Column('jsonb') details!: Record<string, unknown>;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

/** Add to a service's `database.entities` (next to its own entities). */
export const auditEntities = [AuditEntryEntity];
