import type { Plan, PlanQuotas, Role, WorkspaceKind } from '@leadflow/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** ingestion's copy of an identity organization: plan and quotas (from identity's events). */
@Entity({ name: 'organizations' })
export class OrganizationCopyEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') plan!: Plan;
  @Column('jsonb') quotas!: PlanQuotas;
  @Column('text') status!: 'active' | 'suspended';
  /** occurredAt of the event that wrote this row: older events never overwrite newer state. */
  @Column('timestamptz', { name: 'event_at' }) eventAt!: Date;
}

/** ingestion's copy of an identity workspace (which exist, and whose they are). */
@Entity({ name: 'workspaces' })
export class WorkspaceCopyEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('text') name!: string;
  @Column('text') kind!: WorkspaceKind;
  @Column('text') timezone!: string;
  @Column('text') status!: 'active' | 'archived';
  @Column('timestamptz', { name: 'event_at' }) eventAt!: Date;
}

/**
 * ingestion's copy of an identity user, as far as assigning leads needs it: whose member, with
 * which role, in which workspaces (null: all of the organization's), and whether still active.
 */
@Entity({ name: 'users' })
export class UserCopyEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('text') role!: Role;
  @Column('uuid', { name: 'workspace_ids', array: true, nullable: true }) workspaceIds!: string[] | null;
  @Column('boolean') active!: boolean;
  @Column('timestamptz', { name: 'event_at' }) eventAt!: Date;
}
