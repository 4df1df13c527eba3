import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The request log's retention: the size of each body as received (refused bodies are kept cut
 * short), and the indexes the pruner walks — bodies still held by age (partial, so it shrinks as
 * bodies are dropped) and rows by age.
 */
export class IntakeRequestRetention1765100000200 implements MigrationInterface {
  name = 'IntakeRequestRetention1765100000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ingestion.intake_requests ADD COLUMN raw_body_bytes integer`);
    await q.query(
      `CREATE INDEX intake_requests_bodies_by_age ON ingestion.intake_requests (received_at) WHERE raw_body IS NOT NULL`,
    );
    await q.query(`CREATE INDEX intake_requests_by_age ON ingestion.intake_requests (received_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ingestion.intake_requests_by_age`);
    await q.query(`DROP INDEX IF EXISTS ingestion.intake_requests_bodies_by_age`);
    await q.query(`ALTER TABLE ingestion.intake_requests DROP COLUMN IF EXISTS raw_body_bytes`);
  }
}
