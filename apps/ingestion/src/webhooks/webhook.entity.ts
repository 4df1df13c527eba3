import type { Vertical } from '@leadflow/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { FieldMapping } from '@leadflow/normalization';

export type WebhookStatus = 'active' | 'paused' | 'archived';
export const DedupMatchKeys = ['external_id', 'phone', 'email'] as const;
export type DedupMatchKey = (typeof DedupMatchKeys)[number];
export const DedupScopes = ['webhook', 'organization'] as const;
export type DedupScope = (typeof DedupScopes)[number];

@Entity({ name: 'webhooks' })
export class WebhookEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId!: string;
  @Column('text') name!: string;
  @Column('text', { nullable: true }) description!: string | null;
  @Column('text') vertical!: Vertical;
  @Column('text') status!: WebhookStatus;
  @Column('boolean', { name: 'require_signature' }) requireSignature!: boolean;
  @Column('boolean', { name: 'require_consent' }) requireConsent!: boolean;
  @Column('integer', { name: 'rate_limit' }) rateLimit!: number;
  @Column('integer', { name: 'rate_window_seconds' }) rateWindowSeconds!: number;
  @Column('integer', { name: 'dedup_window_hours' }) dedupWindowHours!: number;
  @Column('text', { name: 'dedup_match', array: true }) dedupMatch!: DedupMatchKey[];
  @Column('text', { name: 'dedup_scope' }) dedupScope!: DedupScope;
  @Column('jsonb', { name: 'field_mapping' }) fieldMapping!: FieldMapping;
  @Column('text', { name: 'secret_sealed' }) secretSealed!: string;
  @Column('text', { name: 'previous_secret_sealed', nullable: true }) previousSecretSealed!: string | null;
  @Column('timestamptz', { name: 'previous_secret_expires_at', nullable: true })
  previousSecretExpiresAt!: Date | null;
  @Column('text', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
