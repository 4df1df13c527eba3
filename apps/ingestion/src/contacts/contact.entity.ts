import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One person, de-duplicated by normalized phone, then e-mail, within a dedup scope. */
@Entity({ name: 'contacts' })
export class ContactEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId!: string;
  /** `organization`, or `webhook:<id>` for webhooks that de-duplicate on their own. */
  @Column('text', { name: 'dedup_scope' }) dedupScope!: string;
  @Column('text', { name: 'first_name', nullable: true }) firstName!: string | null;
  @Column('text', { name: 'last_name', nullable: true }) lastName!: string | null;
  @Column('text', { nullable: true }) phone!: string | null;
  @Column('text', { nullable: true }) email!: string | null;
  @Column('text', { nullable: true }) address!: string | null;
  @Column('text', { nullable: true }) address2!: string | null;
  @Column('text', { nullable: true }) city!: string | null;
  @Column('text', { nullable: true }) state!: string | null;
  @Column('text', { nullable: true }) zip!: string | null;
  @Column('text', { array: true }) tags!: string[];
  @Column('jsonb', { name: 'custom_fields' }) customFields!: Record<string, unknown>;
  @Column('uuid', { name: 'merged_into_id', nullable: true }) mergedIntoId!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
