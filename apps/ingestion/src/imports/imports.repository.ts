import type { Page } from '@leadflow/contracts';
import type { TenantScope } from '@leadflow/platform/persistence';
import { CopyJson, TenantRepository, copyRows, keysetPage } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import type { EntityManager, QueryRunner } from 'typeorm';
import type { FieldIssue } from '@leadflow/normalization';
import type { ImportStatus } from './import.entity';
import { ImportEntity, ImportRejectionEntity } from './import.entity';
import type { ImportFailureCode } from './imports.errors';

const REJECTION_COLUMNS = ['import_id', 'row_number', 'organization_id', 'errors', 'raw'] as const;

@Injectable()
export class ImportsRepository {
  private readonly imports: TenantRepository<ImportEntity>;
  private readonly rejections: TenantRepository<ImportRejectionEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.imports = new TenantRepository(dataSource.getRepository(ImportEntity), 'import');
    this.rejections = new TenantRepository(
      dataSource.getRepository(ImportRejectionEntity),
      'import rejection',
      {
        workspaceScoped: false,
      },
    );
  }

  async insert(tx: EntityManager, scope: TenantScope, entity: ImportEntity): Promise<void> {
    await this.imports.within(tx).insert(scope, [entity]);
  }

  get(scope: TenantScope, id: string): Promise<ImportEntity> {
    return this.imports.getOrNotFound(scope, id);
  }

  /** The import, its row locked until the transaction ends (waits for a batch being committed). */
  async getForUpdate(tx: EntityManager, scope: TenantScope, id: string): Promise<ImportEntity | null> {
    return this.imports
      .within(tx)
      .queryBuilder(scope, 'i')
      .andWhere('i.id = :id', { id })
      .setLock('pessimistic_write')
      .getOne();
  }

  async update(
    tx: EntityManager,
    scope: TenantScope,
    id: string,
    patch: Partial<ImportEntity>,
  ): Promise<void> {
    await this.imports.within(tx).update(scope, { id }, patch);
  }

  list(
    scope: TenantScope,
    query: {
      limit: number;
      cursor?: string;
      status?: ImportStatus;
      webhookId?: string;
      workspaceId?: string;
    },
  ): Promise<Page<ImportEntity>> {
    const qb = this.imports.queryBuilder(scope, 'i');
    if (query.status !== undefined) qb.andWhere('i.status = :status', { status: query.status });
    if (query.webhookId !== undefined)
      qb.andWhere('i.webhookId = :webhookId', { webhookId: query.webhookId });
    if (query.workspaceId !== undefined) qb.andWhere('i.workspaceId = :ws', { ws: query.workspaceId });
    return keysetPage(qb, 'i', query);
  }

  /** Rejected rows of an import after `afterRow`, in row order. */
  rejectionsAfter(
    scope: TenantScope,
    importId: string,
    afterRow: number,
    limit: number,
  ): Promise<ImportRejectionEntity[]> {
    return this.rejections
      .queryBuilder(scope, 'r')
      .andWhere('r.importId = :importId AND r.rowNumber > :afterRow', { importId, afterRow })
      .orderBy('r.rowNumber', 'ASC')
      .take(limit)
      .getMany();
  }

  // --- The worker's queries: the worker serves every organization (no tenant scope). ---

  /** Imports waiting for or in the middle of a run, oldest first. */
  unfinished(limit: number): Promise<ImportEntity[]> {
    return this.dataSource
      .getRepository(ImportEntity)
      .createQueryBuilder('i')
      .where(`i.status IN ('queued', 'running')`)
      .orderBy('i.createdAt', 'ASC')
      .addOrderBy('i.id', 'ASC')
      .take(limit)
      .getMany();
  }

  /** Marks a claimed import running (keeping the first start time); null when it is no longer unfinished. */
  async start(id: string, now: Date): Promise<ImportEntity | null> {
    await this.dataSource.query(
      `UPDATE ingestion.imports SET status = 'running', started_at = coalesce(started_at, $2), updated_at = $2
        WHERE id = $1 AND status IN ('queued', 'running')`,
      [id, now],
    );
    const found = await this.dataSource.getRepository(ImportEntity).findOneBy({ id });
    return found && (found.status === 'running' ? found : null);
  }

  /** Locks a running import's row and ends it; null when it was no longer running (cancelled meanwhile). */
  async finish(
    tx: EntityManager,
    id: string,
    outcome: {
      status: 'completed' | 'failed';
      error: { code: ImportFailureCode; message: string } | null;
      now: Date;
    },
  ): Promise<ImportEntity | null> {
    const repository = tx.getRepository(ImportEntity);
    const current = await repository.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (current?.status !== 'running') return null;
    const patch: Partial<ImportEntity> = {
      status: outcome.status,
      error: outcome.error?.message ?? null,
      errorCode: outcome.error?.code ?? null,
      finishedAt: outcome.now,
      updatedAt: outcome.now,
      ...(outcome.status === 'completed' ? { total: current.processed } : {}),
    };
    await repository.update({ id }, patch);
    return Object.assign(current, patch);
  }

  // --- A batch's statements, on the import run's own connection inside the batch's transaction. ---

  /** Locks the import's row: its status and the last row a batch committed. */
  async lockProgress(
    runner: QueryRunner,
    importId: string,
  ): Promise<{ status: string; last_row: number } | undefined> {
    const [progress] = await runner.manager.query<{ status: string; last_row: number }[]>(
      `SELECT status, last_row FROM ingestion.imports WHERE id = $1 FOR UPDATE`,
      [importId],
    );
    return progress;
  }

  /** COPYs a batch's rejected rows (their field errors and raw values) on the batch's pg client. */
  async copyRejections(
    client: PoolClient,
    importId: string,
    organizationId: string,
    rows: readonly { row: number; errors: FieldIssue[]; raw: string[] }[],
  ): Promise<void> {
    await copyRows(
      client,
      'ingestion.import_rejections',
      REJECTION_COLUMNS,
      rows.map((r) => [importId, r.row, organizationId, new CopyJson(r.errors), new CopyJson(r.raw)]),
    );
  }

  /** Adds a batch's counts and moves the resume position past its last row. */
  async advanceProgress(
    runner: QueryRunner,
    importId: string,
    counts: { processed: number; accepted: number; duplicates: number; rejected: number },
    last: { row: number; endOffset: number },
    now: Date,
  ): Promise<void> {
    await runner.manager.query(
      `UPDATE ingestion.imports
          SET processed = processed + $2, accepted = accepted + $3, duplicates = duplicates + $4,
              rejected = rejected + $5, last_row = $6, resume_offset = $7, updated_at = $8
        WHERE id = $1`,
      [
        importId,
        counts.processed,
        counts.accepted,
        counts.duplicates,
        counts.rejected,
        last.row,
        last.endOffset,
        now,
      ],
    );
  }
}
