import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the contact list's filters (exact e-mail and phone over the whole organization, tags),
 * for re-pointing contacts merged into a contact that is merged in turn, and for listing pipeline
 * stages in workspace/position order.
 */
export class ContactSearchIndexes1763900000300 implements MigrationInterface {
  name = 'ContactSearchIndexes1763900000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX contacts_org_email ON ingestion.contacts (organization_id, email)
         WHERE email IS NOT NULL AND merged_into_id IS NULL`,
    );
    await q.query(
      `CREATE INDEX contacts_org_phone ON ingestion.contacts (organization_id, phone)
         WHERE phone IS NOT NULL AND merged_into_id IS NULL`,
    );
    await q.query(`CREATE INDEX contacts_tags ON ingestion.contacts USING gin (tags)`);
    await q.query(
      `CREATE INDEX contacts_merged_into ON ingestion.contacts (merged_into_id) WHERE merged_into_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX pipeline_stages_order ON ingestion.pipeline_stages (organization_id, workspace_id, position, id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const index of [
      'pipeline_stages_order',
      'contacts_merged_into',
      'contacts_tags',
      'contacts_org_phone',
      'contacts_org_email',
    ]) {
      await q.query(`DROP INDEX IF EXISTS ingestion.${index}`);
    }
  }
}
