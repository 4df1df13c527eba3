import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A requested password reset; its single-use token is stored only as its SHA-256 hash. */
@Entity({ name: 'password_resets' })
export class PasswordResetEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('bytea', { name: 'token_hash' }) tokenHash!: Buffer;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
  @Column('timestamptz', { name: 'used_at', nullable: true }) usedAt!: Date | null;
}
