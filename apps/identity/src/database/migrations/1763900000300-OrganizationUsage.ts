import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Monthly usage per organization, next to its plan's quotas: one row per organization and calendar
 * month (UTC), created by the first counted event of the month.
 */
export class OrganizationUsage1763900000300 implements MigrationInterface {
  name = 'OrganizationUsage1763900000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity.organization_usage (
        organization_id uuid NOT NULL REFERENCES identity.organizations (id) ON DELETE CASCADE,
        period date NOT NULL CHECK (date_trunc('month', period) = period),
        leads bigint NOT NULL DEFAULT 0 CHECK (leads >= 0),
        enrichments bigint NOT NULL DEFAULT 0 CHECK (enrichments >= 0),
        emails bigint NOT NULL DEFAULT 0 CHECK (emails >= 0),
        sms bigint NOT NULL DEFAULT 0 CHECK (sms >= 0),
        call_minutes bigint NOT NULL DEFAULT 0 CHECK (call_minutes >= 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organization_id, period)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identity.organization_usage`);
  }
}
