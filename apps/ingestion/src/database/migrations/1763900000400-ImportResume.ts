import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * CSV imports resume where they stopped: the header row is kept with the import (a resumed run
 * reads on from a byte offset, after the header), and every committed batch records the last row
 * it covered and the byte offset just past it, in the same transaction as its leads. The
 * correlation id of the upload request is carried by every event the import emits.
 */
export class ImportResume1763900000400 implements MigrationInterface {
  name = 'ImportResume1763900000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE ingestion.imports
        ADD COLUMN headers text[] NOT NULL DEFAULT '{}',
        ADD COLUMN last_row integer NOT NULL DEFAULT 0 CHECK (last_row >= 0),
        ADD COLUMN resume_offset bigint NOT NULL DEFAULT 0 CHECK (resume_offset >= 0),
        ADD COLUMN correlation_id text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE ingestion.imports
        DROP COLUMN IF EXISTS correlation_id,
        DROP COLUMN IF EXISTS resume_offset,
        DROP COLUMN IF EXISTS last_row,
        DROP COLUMN IF EXISTS headers`);
  }
}
