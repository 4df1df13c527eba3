import type { LeadChannel, LeadStatus, Vertical } from '@leadflow/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { NormalizedConsent, NormalizedLead } from '@leadflow/normalization';

@Entity({ name: 'leads' })
export class LeadEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId!: string;
  @Column('uuid', { name: 'contact_id' }) contactId!: string;
  @Column('text') channel!: LeadChannel;
  @Column('uuid', { name: 'webhook_id', nullable: true }) webhookId!: string | null;
  @Column('uuid', { name: 'provider_id', nullable: true }) providerId!: string | null;
  @Column('uuid', { name: 'request_id', nullable: true }) requestId!: string | null;
  @Column('uuid', { name: 'import_id', nullable: true }) importId!: string | null;
  @Column('integer', { name: 'import_row', nullable: true }) importRow!: number | null;
  /** Whose external ids are unique together: the provider, else the webhook. */
  @Column('text', { name: 'source_key' }) sourceKey!: string;
  @Column('text', { name: 'external_id', nullable: true }) externalId!: string | null;
  @Column('text', { name: 'idempotency_key', nullable: true }) idempotencyKey!: string | null;
  @Column('text') vertical!: Vertical;
  @Column('text') status!: LeadStatus;
  @Column('text', { name: 'status_reason', nullable: true }) statusReason!: string | null;
  @Column('timestamptz', { name: 'status_changed_at' }) statusChangedAt!: Date;
  @Column('text', { name: 'status_changed_by', nullable: true }) statusChangedBy!: string | null;
  @Column('uuid', { name: 'duplicate_of_lead_id', nullable: true }) duplicateOfLeadId!: string | null;
  @Column('uuid', { name: 'stage_id', nullable: true }) stageId!: string | null;
  @Column('uuid', { name: 'assigned_to', nullable: true }) assignedTo!: string | null;
  @Column('smallint') priority!: number;
  @Column('timestamptz', { name: 'follow_up_at', nullable: true }) followUpAt!: Date | null;
  @Column('text', { array: true }) tags!: string[];
  @Column('text', { name: 'first_name', nullable: true }) firstName!: string | null;
  @Column('text', { name: 'last_name', nullable: true }) lastName!: string | null;
  @Column('text', { nullable: true }) phone!: string | null;
  @Column('text', { nullable: true }) email!: string | null;
  @Column('text', { nullable: true }) address!: string | null;
  @Column('text', { nullable: true }) address2!: string | null;
  @Column('text', { nullable: true }) city!: string | null;
  @Column('text', { nullable: true }) state!: string | null;
  @Column('text', { nullable: true }) zip!: string | null;
  @Column('jsonb') attributes!: Record<string, unknown>;
  @Column('jsonb', { nullable: true }) consent!: NormalizedConsent | null;
  @Column('boolean', { name: 'contactable_phone' }) contactablePhone!: boolean;
  @Column('boolean', { name: 'contactable_sms' }) contactableSms!: boolean;
  @Column('boolean', { name: 'contactable_email' }) contactableEmail!: boolean;
  @Column('jsonb') tracking!: NormalizedLead['tracking'];
  @Column('numeric', { precision: 12, scale: 2, nullable: true }) cost!: string | null;
  @Column('char', { length: 3, nullable: true }) currency!: string | null;
  @Column('integer', { name: 'contact_attempts' }) contactAttempts!: number;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
