import type { Role } from '@leadflow/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An invitation to join an organization; its single-use token is stored only as its SHA-256 hash. */
@Entity({ name: 'invitations' })
export class InvitationEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('text') email!: string;
  @Column('text') role!: Role;
  @Column('uuid', { name: 'workspace_ids', array: true, nullable: true }) workspaceIds!: string[] | null;
  @Column('bytea', { name: 'token_hash' }) tokenHash!: Buffer;
  /** `user:<id>` or `api_key:<id>`. */
  @Column('text', { name: 'invited_by', nullable: true }) invitedBy!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
  @Column('timestamptz', { name: 'accepted_at', nullable: true }) acceptedAt!: Date | null;
  @Column('uuid', { name: 'accepted_by', nullable: true }) acceptedBy!: string | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
}
