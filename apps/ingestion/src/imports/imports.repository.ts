import type { Page } from '@leadflow/contracts';
import type { TenantScope } from '@leadflow/platform/persistence';
import { TenantRepository, keysetPage } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { ImportStatus } from './import.entity';
import { ImportEntity, ImportRejectionEntity } from './import.entity';
import type { ImportFailureCode } from './imports.errors';

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
}
