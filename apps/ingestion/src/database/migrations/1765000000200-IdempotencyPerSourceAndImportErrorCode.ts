import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An `Idempotency-Key` is unique per webhook and source (the provider, or `webhook:<id>` for signed
 * posts without one — the leads' `source_key`, as for external ids), no longer per webhook alone:
 * two providers posting to one webhook with the same key get two leads, not each other's.
 * The new index is built before the old one is dropped, so a key is never unguarded; it allows
 * everything the old one did.
 *
 * An import that ended early records why in a stable code (`quota_exceeded`, `malformed_csv`,
 * `internal_error`) beside its message.
 */
export class IdempotencyPerSourceAndImportErrorCode1765000000200 implements MigrationInterface {
  name = 'IdempotencyPerSourceAndImportErrorCode1765000000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE UNIQUE INDEX leads_idempotency_key_by_source
         ON ingestion.leads (organization_id, webhook_id, source_key, idempotency_key)
         WHERE idempotency_key IS NOT NULL`,
    );
    await q.query(`DROP INDEX ingestion.leads_idempotency_key`);
    await q.query(`ALTER INDEX ingestion.leads_idempotency_key_by_source RENAME TO leads_idempotency_key`);
    await q.query(`ALTER TABLE ingestion.imports ADD COLUMN error_code text`);
  }

  /** Fails, rather than dropping leads, when two sources of a webhook already share a key. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ingestion.imports DROP COLUMN IF EXISTS error_code`);
    await q.query(
      `CREATE UNIQUE INDEX leads_idempotency_key_by_webhook
         ON ingestion.leads (organization_id, webhook_id, idempotency_key)
         WHERE idempotency_key IS NOT NULL`,
    );
    await q.query(`DROP INDEX ingestion.leads_idempotency_key`);
    await q.query(`ALTER INDEX ingestion.leads_idempotency_key_by_webhook RENAME TO leads_idempotency_key`);
  }
}
