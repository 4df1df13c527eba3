import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A provider's workspace scope: the workspaces whose webhooks it may post to (its
 * `allowedWebhookIds`, or all of theirs when empty). Existing providers keep null: organization-wide,
 * as they were, and only organization-wide members see and manage them.
 */
export class ProviderWorkspaces1765100000100 implements MigrationInterface {
  name = 'ProviderWorkspaces1765100000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ingestion.providers ADD COLUMN workspace_ids uuid[]`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ingestion.providers DROP COLUMN IF EXISTS workspace_ids`);
  }
}
