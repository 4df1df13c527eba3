import { quoteIdent } from '@leadflow/platform/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { AuditActorTypes } from './audit-record';

/**
 * Creates `<schema>.audit_log` and its two indexes (the organization's pages, and pages of one
 * action). organization_id is NULL only for platform-level actions; there is no foreign key, so
 * any service can hold the table whatever its own tables are.
 */
export async function createAuditTable(runner: QueryRunner, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  const actorTypes = AuditActorTypes.map((t) => `'${t}'`).join(', ');
  await runner.query(`
    CREATE TABLE ${s}.audit_log (
      id uuid PRIMARY KEY,
      organization_id uuid,
      actor_type text NOT NULL CHECK (actor_type IN (${actorTypes})),
      actor_id text,
      action text NOT NULL,
      target_type text,
      target_id text,
      ip text,
      user_agent text,
      details jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await runner.query(`CREATE INDEX audit_log_org_page ON ${s}.audit_log (organization_id, created_at, id)`);
  await runner.query(
    `CREATE INDEX audit_log_org_action ON ${s}.audit_log (organization_id, action, created_at, id)`,
  );
}

export async function dropAuditTable(runner: QueryRunner, schema: string): Promise<void> {
  await runner.query(`DROP TABLE IF EXISTS ${quoteIdent(schema)}.audit_log`);
}

/**
 * The migration that gives a service its audit log. A service commits one line,
 * `export const AuditTable1763900000050 = auditTableMigration('<schema>')`, and lists it in its
 * migrations (its timestamp sorts right after the messaging tables; TypeORM also runs it when a
 * service adds it after later migrations already ran). identity does not use it: its audit_log
 * predates this library and is created by its own IdentityTables migration.
 */
export function auditTableMigration(schema: string): new () => MigrationInterface {
  return class AuditTable1763900000050 implements MigrationInterface {
    name = 'AuditTable1763900000050';

    up(runner: QueryRunner): Promise<void> {
      return createAuditTable(runner, schema);
    }

    down(runner: QueryRunner): Promise<void> {
      return dropAuditTable(runner, schema);
    }
  };
}

/**
 * Adds `workspace_ids` (the workspaces an entry concerns; NULL: the organization as a whole) to a
 * service's `audit_log`, so that a member limited to some workspaces reads only their entries.
 */
export function auditWorkspacesMigration(schema: string): new () => MigrationInterface {
  return class AuditWorkspaces1765200000000 implements MigrationInterface {
    name = 'AuditWorkspaces1765200000000';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`ALTER TABLE ${quoteIdent(schema)}.audit_log ADD COLUMN workspace_ids uuid[]`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`ALTER TABLE ${quoteIdent(schema)}.audit_log DROP COLUMN workspace_ids`);
    }
  };
}
