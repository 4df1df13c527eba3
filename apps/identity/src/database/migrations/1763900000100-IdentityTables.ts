import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Organizations, workspaces, users and memberships; signing keys; sessions and refresh tokens;
 * login attempts (throttling); API keys; the audit log.
 */
export class IdentityTables1763900000100 implements MigrationInterface {
  name = 'IdentityTables1763900000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity.organizations (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        slug text NOT NULL,
        plan text NOT NULL CHECK (plan IN ('free', 'pro', 'enterprise')),
        quotas jsonb NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT organizations_slug_key UNIQUE (slug)
      )`);
    await q.query(`
      CREATE TABLE identity.workspaces (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES identity.organizations (id) ON DELETE CASCADE,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('team', 'client', 'buyer')),
        timezone text NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX workspaces_org_page ON identity.workspaces (organization_id, created_at, id)`,
    );
    await q.query(`
      CREATE TABLE identity.users (
        id uuid PRIMARY KEY,
        email text NOT NULL CHECK (email = lower(email)),
        name text NOT NULL,
        password_hash text NOT NULL,
        active boolean NOT NULL DEFAULT true,
        last_login_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON identity.users (lower(email))`);
    await q.query(`
      CREATE TABLE identity.memberships (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES identity.organizations (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES identity.users (id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'agent')),
        workspace_ids uuid[],
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT memberships_org_user_key UNIQUE (organization_id, user_id)
      )`);
    await q.query(`CREATE INDEX memberships_user ON identity.memberships (user_id)`);
    await q.query(
      `CREATE INDEX memberships_org_page ON identity.memberships (organization_id, created_at, id)`,
    );
    await q.query(`
      CREATE TABLE identity.signing_keys (
        kid text PRIMARY KEY,
        public_jwk jsonb NOT NULL,
        private_key_sealed text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz,
        expires_at timestamptz
      )`);
    // At most one active key, whatever replicas race at start-up.
    await q.query(
      `CREATE UNIQUE INDEX signing_keys_one_active ON identity.signing_keys ((true)) WHERE retired_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE identity.sessions (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES identity.organizations (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES identity.users (id) ON DELETE CASCADE,
        ip text,
        user_agent text,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoked_reason text
      )`);
    await q.query(`CREATE INDEX sessions_user ON identity.sessions (organization_id, user_id)`);
    await q.query(`
      CREATE TABLE identity.refresh_tokens (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES identity.organizations (id) ON DELETE CASCADE,
        session_id uuid NOT NULL REFERENCES identity.sessions (id) ON DELETE CASCADE,
        parent_id uuid REFERENCES identity.refresh_tokens (id) ON DELETE SET NULL,
        token_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz,
        CONSTRAINT refresh_tokens_hash_key UNIQUE (token_hash)
      )`);
    await q.query(`CREATE INDEX refresh_tokens_session ON identity.refresh_tokens (session_id)`);
    await q.query(`
      CREATE TABLE identity.login_attempts (
        id uuid PRIMARY KEY,
        email text NOT NULL,
        ip text NOT NULL,
        succeeded boolean NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX login_attempts_email ON identity.login_attempts (email, created_at)`);
    await q.query(`CREATE INDEX login_attempts_ip ON identity.login_attempts (ip, created_at)`);
    await q.query(`
      CREATE TABLE identity.api_keys (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES identity.organizations (id) ON DELETE CASCADE,
        workspace_id uuid REFERENCES identity.workspaces (id) ON DELETE CASCADE,
        name text NOT NULL,
        prefix text NOT NULL,
        key_hash bytea NOT NULL,
        scopes text[] NOT NULL,
        created_by uuid,
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT api_keys_prefix_key UNIQUE (prefix)
      )`);
    await q.query(`CREATE INDEX api_keys_org_page ON identity.api_keys (organization_id, created_at, id)`);
    // organization_id is NULL only for platform-level actions (signing-key rotation by an operator).
    await q.query(`
      CREATE TABLE identity.audit_log (
        id uuid PRIMARY KEY,
        organization_id uuid REFERENCES identity.organizations (id) ON DELETE CASCADE,
        actor_type text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'operator', 'anonymous')),
        actor_id text,
        action text NOT NULL,
        target_type text,
        target_id text,
        ip text,
        user_agent text,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX audit_log_org_page ON identity.audit_log (organization_id, created_at, id)`);
    await q.query(
      `CREATE INDEX audit_log_org_action ON identity.audit_log (organization_id, action, created_at, id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'audit_log',
      'api_keys',
      'login_attempts',
      'refresh_tokens',
      'sessions',
      'signing_keys',
      'memberships',
      'users',
      'workspaces',
      'organizations',
    ]) {
      await q.query(`DROP TABLE IF EXISTS identity.${table}`);
    }
  }
}
