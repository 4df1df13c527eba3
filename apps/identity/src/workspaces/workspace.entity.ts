import type { WorkspaceKind } from '@leadflow/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export type WorkspaceStatus = 'active' | 'archived';

@Entity({ name: 'workspaces' })
export class WorkspaceEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('text') name!: string;
  @Column('text') kind!: WorkspaceKind;
  @Column('text') timezone!: string;
  @Column('text') status!: WorkspaceStatus;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
