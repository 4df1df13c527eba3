import type { Plan, PlanQuotas, WorkspaceKind } from '@leadflow/contracts';
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
