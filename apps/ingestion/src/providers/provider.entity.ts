import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A lead source (vendor) that posts into webhooks with its own key and limits. */
@Entity({ name: 'providers' })
export class ProviderEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('text') name!: string;
  @Column('text', { name: 'company_name', nullable: true }) companyName!: string | null;
  @Column('text', { name: 'contact_name', nullable: true }) contactName!: string | null;
  @Column('text', { name: 'contact_email', nullable: true }) contactEmail!: string | null;
  @Column('text', { name: 'contact_phone', nullable: true }) contactPhone!: string | null;
  @Column('text', { nullable: true }) notes!: string | null;
  /** SHA-256 of the key (keys are 256-bit random, so a fast hash is enough). */
  @Column('text', { name: 'key_hash' }) keyHash!: string;
  /** The key's last characters, to recognise it in lists. */
  @Column('text', { name: 'key_hint' }) keyHint!: string;
  /** The workspaces it serves; null: the whole organization (only organization-wide members see it). */
  @Column('uuid', { name: 'workspace_ids', array: true, nullable: true }) workspaceIds!: string[] | null;
  /** Empty: every webhook of its workspaces (of the organization when `workspaceIds` is null). */
  @Column('uuid', { name: 'allowed_webhook_ids', array: true }) allowedWebhookIds!: string[];
  @Column('integer', { name: 'hourly_limit' }) hourlyLimit!: number;
  @Column('numeric', { name: 'cost_per_lead', precision: 12, scale: 2, nullable: true })
  costPerLead!: string | null;
  @Column('char', { length: 3 }) currency!: string;
  @Column('boolean') active!: boolean;
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt!: Date | null;
  @Column('text', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
