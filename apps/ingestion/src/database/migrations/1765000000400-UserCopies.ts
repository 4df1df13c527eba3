import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ingestion's copy of identity's users (from `user.created` / `user.updated`), so a lead is only
 * assigned to an active member of its organization with access to the lead's workspace.
 */
export class UserCopies1765000000400 implements MigrationInterface {
  name = 'UserCopies1765000000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ingestion.users (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL,
        role text NOT NULL,
        workspace_ids uuid[],
        active boolean NOT NULL,
        event_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX users_organization ON ingestion.users (organization_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS ingestion.users`);
  }
}
