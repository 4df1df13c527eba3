import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Owners' requests to move their organization to another plan, decided by an operator. At most one
 * request per organization is pending at a time (the partial unique index backs the service's check).
 */
export class PlanRequests1765300000000 implements MigrationInterface {
  name = 'PlanRequests1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity.plan_requests (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES identity.organizations (id) ON DELETE CASCADE,
        requested_by_type text NOT NULL,
        requested_by_id uuid NOT NULL,
        from_plan text NOT NULL,
        plan text NOT NULL,
        note text,
        status text NOT NULL CHECK (status IN ('pending', 'approved', 'declined')),
        decision_reason text,
        decided_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE UNIQUE INDEX plan_requests_one_pending
        ON identity.plan_requests (organization_id) WHERE status = 'pending'`);
    await q.query(`
      CREATE INDEX plan_requests_organization_created
        ON identity.plan_requests (organization_id, created_at, id)`);
    await q.query(`
      CREATE INDEX plan_requests_status_created ON identity.plan_requests (status, created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identity.plan_requests`);
  }
}
