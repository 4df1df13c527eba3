import { Column, Entity, PrimaryColumn } from 'typeorm';

export type AuditActorType = 'user' | 'api_key' | 'operator' | 'anonymous';

/** One audited action; organization null only for platform-level actions (key rotation). */
@Entity({ name: 'audit_log' })
export class AuditEntryEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id', nullable: true }) organizationId!: string;
  @Column('text', { name: 'actor_type' }) actorType!: AuditActorType;
  @Column('text', { name: 'actor_id', nullable: true }) actorId!: string | null;
  @Column('text') action!: string;
  @Column('text', { name: 'target_type', nullable: true }) targetType!: string | null;
  @Column('text', { name: 'target_id', nullable: true }) targetId!: string | null;
  @Column('text', { nullable: true }) ip!: string | null;
  @Column('text', { name: 'user_agent', nullable: true }) userAgent!: string | null;
  @Column('jsonb') details!: Record<string, unknown>;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}
