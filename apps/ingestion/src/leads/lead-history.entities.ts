import type { LeadStatus } from '@leadflow/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'lead_status_history' })
export class LeadStatusChangeEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('uuid', { name: 'lead_id' }) leadId!: string;
  @Column('text', { name: 'from_status', nullable: true }) fromStatus!: LeadStatus | null;
  @Column('text', { name: 'to_status' }) toStatus!: LeadStatus;
  @Column('text', { nullable: true }) reason!: string | null;
  @Column('text', { name: 'changed_by', nullable: true }) changedBy!: string | null;
  @Column('text', { name: 'changed_by_name', nullable: true }) changedByName!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

export const ActivityTypes = [
  'created',
  'duplicate_received',
  'status_change',
  'stage_change',
  'assignment',
  'update',
  'note',
  'call',
  'email',
  'sms',
  'meeting',
] as const;
export type ActivityType = (typeof ActivityTypes)[number];

/** One entry of a lead's timeline: who did what, when. */
@Entity({ name: 'lead_activities' })
export class LeadActivityEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId!: string;
  @Column('uuid', { name: 'lead_id' }) leadId!: string;
  @Column('text') type!: ActivityType;
  @Column('text') title!: string;
  @Column('text', { nullable: true }) description!: string | null;
  @Column('text', { name: 'actor_type' }) actorType!: string;
  @Column('text', { name: 'actor_id', nullable: true }) actorId!: string | null;
  @Column('text', { name: 'actor_name', nullable: true }) actorName!: string | null;
  @Column('jsonb') metadata!: Record<string, unknown>;
  @Column('timestamptz', { name: 'occurred_at' }) occurredAt!: Date;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

export const NoteTypes = ['general', 'call', 'email', 'meeting', 'follow_up'] as const;
export type NoteType = (typeof NoteTypes)[number];

@Entity({ name: 'lead_notes' })
export class LeadNoteEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId!: string;
  @Column('uuid', { name: 'lead_id' }) leadId!: string;
  @Column('text') type!: NoteType;
  @Column('text') body!: string;
  @Column('text', { name: 'author_type' }) authorType!: string;
  @Column('text', { name: 'author_id', nullable: true }) authorId!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}
