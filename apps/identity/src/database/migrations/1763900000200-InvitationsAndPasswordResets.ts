import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Invitations to an organization and password-reset tokens (both single-use, stored as SHA-256). */
export class InvitationsAndPasswordResets1763900000200 implements MigrationInterface {
  name = 'InvitationsAndPasswordResets1763900000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity.invitations (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES identity.organizations (id) ON DELETE CASCADE,
        email text NOT NULL CHECK (email = lower(email)),
        role text NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'agent')),
        workspace_ids uuid[],
        token_hash bytea NOT NULL,
        invited_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        accepted_at timestamptz,
        accepted_by uuid REFERENCES identity.users (id) ON DELETE SET NULL,
        revoked_at timestamptz,
        CONSTRAINT invitations_token_hash_key UNIQUE (token_hash)
      )`);
    await q.query(
      `CREATE INDEX invitations_org_page ON identity.invitations (organization_id, created_at, id)`,
    );
    await q.query(`CREATE INDEX invitations_org_email ON identity.invitations (organization_id, email)`);
    await q.query(`
      CREATE TABLE identity.password_resets (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES identity.users (id) ON DELETE CASCADE,
        token_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        CONSTRAINT password_resets_token_hash_key UNIQUE (token_hash)
      )`);
    await q.query(`CREATE INDEX password_resets_user ON identity.password_resets (user_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identity.password_resets`);
    await q.query(`DROP TABLE identity.invitations`);
  }
}
