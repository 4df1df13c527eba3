import type { Page } from '@leadflow/contracts';
import type { TenantScope } from '@leadflow/platform/persistence';
import { TenantRepository, keysetPage } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { PipelineStageEntity } from './pipeline-stage.entity';
import { PipelineStageError, PipelineStageErrorCode } from './pipeline-stages.errors';
import type { PositionShift } from './stage-order';
import { stageKey } from './stage-order';

/** The unique index on (workspace_id, lower(name)). */
const NAME_INDEX = 'pipeline_stages_name';

function isNameConflict(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = (error as QueryFailedError & { driverError?: { code?: unknown; constraint?: unknown } })
    .driverError;
  return driverError?.code === '23505' && driverError.constraint === NAME_INDEX;
}

@Injectable()
export class PipelineStagesRepository {
  private readonly stages: TenantRepository<PipelineStageEntity>;

  constructor(dataSource: DataSource) {
    this.stages = new TenantRepository(dataSource.getRepository(PipelineStageEntity), 'pipeline stage');
  }

  /** Stages the scope can see, by workspace and position. */
  list(
    scope: TenantScope,
    query: { limit: number; cursor?: string; workspaceId?: string; includeInactive?: boolean },
  ): Promise<Page<PipelineStageEntity>> {
    const qb = this.stages.queryBuilder(scope, 's');
    if (query.workspaceId !== undefined) qb.andWhere('s.workspaceId = :ws', { ws: query.workspaceId });
    if (query.includeInactive !== true) qb.andWhere('s.active = true');
    return keysetPage(qb, 's', query, { key: stageKey, direction: 'ASC' });
  }

  get(scope: TenantScope, id: string, tx?: EntityManager): Promise<PipelineStageEntity> {
    return (tx ? this.stages.within(tx) : this.stages).getOrNotFound(scope, id);
  }

  /** Serializes changes to one workspace's pipeline until the transaction ends. */
  async lockWorkspace(tx: EntityManager, organizationId: string, workspaceId: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `pipeline-stages|${organizationId}|${workspaceId}`,
    ]);
  }

  /** The workspace's highest position (0 without stages), deactivated stages included. */
  async maxPosition(tx: EntityManager, organizationId: string, workspaceId: string): Promise<number> {
    const [row] = await tx.query<{ max: number }[]>(
      `SELECT coalesce(max(position), 0)::int AS max FROM ingestion.pipeline_stages
        WHERE organization_id = $1 AND workspace_id = $2`,
      [organizationId, workspaceId],
    );
    return row?.max ?? 0;
  }

  /** Whether another stage of the workspace has this name, compared case-insensitively. */
  async nameTaken(
    tx: EntityManager,
    organizationId: string,
    workspaceId: string,
    name: string,
    exceptId: string | null = null,
  ): Promise<boolean> {
    const rows = await tx.query<unknown[]>(
      `SELECT 1 FROM ingestion.pipeline_stages
        WHERE organization_id = $1 AND workspace_id = $2 AND lower(name) = lower($3)
          AND ($4::uuid IS NULL OR id <> $4)
        LIMIT 1`,
      [organizationId, workspaceId, name, exceptId],
    );
    return rows.length > 0;
  }

  /** Moves the workspace's stages in `shift` by its delta, in one statement. */
  async shift(
    tx: EntityManager,
    organizationId: string,
    workspaceId: string,
    shift: PositionShift,
    at: Date,
    exceptId: string | null = null,
  ): Promise<void> {
    await tx.query(
      `UPDATE ingestion.pipeline_stages SET position = position + $5, updated_at = $6
        WHERE organization_id = $1 AND workspace_id = $2 AND position BETWEEN $3 AND $4
          AND ($7::uuid IS NULL OR id <> $7)`,
      [organizationId, workspaceId, shift.from, shift.to, shift.delta, at, exceptId],
    );
  }

  async insert(tx: EntityManager, scope: TenantScope, stage: PipelineStageEntity): Promise<void> {
    try {
      await this.stages.within(tx).insert(scope, [stage]);
    } catch (error) {
      if (isNameConflict(error))
        throw PipelineStageError.of(PipelineStageErrorCode.DuplicateName, { name: stage.name });
      throw error;
    }
  }

  async update(
    tx: EntityManager,
    scope: TenantScope,
    id: string,
    patch: Partial<PipelineStageEntity>,
  ): Promise<void> {
    try {
      await this.stages.within(tx).update(scope, { id }, patch);
    } catch (error) {
      if (isNameConflict(error))
        throw PipelineStageError.of(PipelineStageErrorCode.DuplicateName, { name: patch.name ?? '' });
      throw error;
    }
  }
}
