import type { JWK } from 'jose';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An RS256 key pair; the private key is sealed with SecretBox (aad = kid). */
@Entity({ name: 'signing_keys' })
export class SigningKeyEntity {
  @PrimaryColumn('text') kid!: string;
  @Column('jsonb', { name: 'public_jwk' }) publicJwk!: JWK;
  @Column('text', { name: 'private_key_sealed' }) privateKeySealed!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'retired_at', nullable: true }) retiredAt!: Date | null;
  /** When a retired key leaves the JWKS (every token it signed has expired). */
  @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt!: Date | null;
}
