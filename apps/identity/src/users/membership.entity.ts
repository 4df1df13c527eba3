import type { Role } from '@leadflow/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A user's role in an organization; `workspaceIds` null: every workspace. */
@Entity({ name: 'memberships' })
export class MembershipEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('text') role!: Role;
  @Column('uuid', { name: 'workspace_ids', array: true, nullable: true }) workspaceIds!: string[] | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
