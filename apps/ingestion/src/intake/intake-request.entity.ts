import type { IntakeOutcome } from '@leadflow/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One vendor post to a webhook, whatever became of it, with the body as received: whole for stored
 * leads, cut to REFUSED_BODY_KEEP_BYTES for refusals, none for 401s; bodies are dropped after
 * INTAKE_REQUEST_BODY_RETENTION_DAYS and rows after INTAKE_REQUEST_RETENTION_DAYS.
 */
@Entity({ name: 'intake_requests' })
export class IntakeRequestEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId!: string;
  @Column('uuid', { name: 'webhook_id' }) webhookId!: string;
  @Column('uuid', { name: 'provider_id', nullable: true }) providerId!: string | null;
  @Column('text') outcome!: IntakeOutcome;
  @Column('integer', { name: 'http_status' }) httpStatus!: number;
  @Column('text', { nullable: true }) code!: string | null;
  @Column('jsonb') errors!: { field: string; rule: string; message: string }[];
  @Column('uuid', { name: 'lead_id', nullable: true }) leadId!: string | null;
  @Column('text', { name: 'idempotency_key', nullable: true }) idempotencyKey!: string | null;
  @Column('text', { name: 'content_type', nullable: true }) contentType!: string | null;
  @Column('bytea', { name: 'raw_body', nullable: true }) rawBody!: Buffer | null;
  /** The size of the body as received (null for rows older than this column). */
  @Column('integer', { name: 'raw_body_bytes', nullable: true }) rawBodyBytes!: number | null;
  @Column('text', { nullable: true }) ip!: string | null;
  @Column('text', { name: 'user_agent', nullable: true }) userAgent!: string | null;
  @Column('timestamptz', { name: 'received_at' }) receivedAt!: Date;
}
