import type { Page } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { ChangeRecorder, actorOf } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { canAccessWorkspace, tenantScopeOf } from '@leadflow/platform/auth';
import { NotFoundError } from '@leadflow/platform/errors';
import { UnitOfWork, nowMs, pageOf } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { DirectoryService } from '../directory/directory.service';
import type {
  CreatePipelineStageDto,
  ListPipelineStagesQuery,
  UpdatePipelineStageDto,
} from './dto/pipeline-stage.dto';
import { PipelineStageEntity } from './pipeline-stage.entity';
import type { PipelineStageView } from './pipeline-stage.view';
import { toPipelineStageView } from './pipeline-stage.view';
import { PipelineStageError, PipelineStageErrorCode } from './pipeline-stages.errors';
import { PipelineStagesRepository } from './pipeline-stages.repository';
import { planInsert, planMove } from './stage-order';

export const PipelineStageAuditActions = {
  created: 'pipeline_stage.created',
  updated: 'pipeline_stage.updated',
  deactivated: 'pipeline_stage.deactivated',
} as const;

/** Each workspace's sales pipeline: ordered stages with their chance of a win. */
@Injectable()
export class PipelineStagesService {
  constructor(
    private readonly stages: PipelineStagesRepository,
    private readonly directory: DirectoryService,
    private readonly uow: UnitOfWork,
    private readonly changes: ChangeRecorder,
  ) {}

  async list(principal: Principal, query: ListPipelineStagesQuery): Promise<Page<PipelineStageView>> {
    return pageOf(await this.stages.list(tenantScopeOf(principal), query), toPipelineStageView);
  }

  async create(
    principal: Principal,
    dto: CreatePipelineStageDto,
    client: ClientInfo,
  ): Promise<PipelineStageView> {
    const scope = tenantScopeOf(principal);
    const organizationId = principal.organizationId;
    const workspaceId = dto.workspaceId;
    if (!canAccessWorkspace(principal, workspaceId)) throw new NotFoundError('workspace', workspaceId);
    await this.directory.requireWorkspace(organizationId, workspaceId);
    const name = dto.name.trim();
    return this.uow.run(async (tx) => {
      await this.stages.lockWorkspace(tx, organizationId, workspaceId);
      if (await this.stages.nameTaken(tx, organizationId, workspaceId, name))
        throw PipelineStageError.of(PipelineStageErrorCode.DuplicateName, { name });
      const plan = planInsert(dto.position, await this.stages.maxPosition(tx, organizationId, workspaceId));
      const now = nowMs();
      if (plan.shift) await this.stages.shift(tx, organizationId, workspaceId, plan.shift, now);
      const stage = Object.assign(new PipelineStageEntity(), {
        id: uuidv7(),
        organizationId,
        workspaceId,
        name,
        description: dto.description?.trim() || null,
        position: plan.position,
        winProbability: dto.winProbability ?? 0,
        active: true,
        createdAt: now,
        updatedAt: now,
      } satisfies PipelineStageEntity);
      await this.stages.insert(tx, scope, stage);
      await this.changes.record(tx, {
        audit: {
          organizationId,
          actor: actorOf(principal),
          action: PipelineStageAuditActions.created,
          target: { type: 'pipeline_stage', id: stage.id },
          client,
          details: { workspaceId, name, position: stage.position, winProbability: stage.winProbability },
        },
      });
      return toPipelineStageView(stage);
    });
  }

  async update(
    principal: Principal,
    id: string,
    dto: UpdatePipelineStageDto,
    client: ClientInfo,
  ): Promise<PipelineStageView> {
    const scope = tenantScopeOf(principal);
    const organizationId = principal.organizationId;
    return this.uow.run(async (tx) => {
      const { workspaceId } = await this.stages.get(scope, id, tx);
      await this.stages.lockWorkspace(tx, organizationId, workspaceId);
      // Read again under the workspace's lock: positions may have moved meanwhile.
      const current = await this.stages.get(scope, id, tx);
      const now = nowMs();
      const patch: Partial<PipelineStageEntity> = {};
      const name = dto.name?.trim();
      if (name !== undefined && name !== current.name) {
        if (await this.stages.nameTaken(tx, organizationId, workspaceId, name, id)) {
          throw PipelineStageError.of(PipelineStageErrorCode.DuplicateName, { name });
        }
        patch.name = name;
      }
      if (dto.description !== undefined) {
        const description = dto.description?.trim() || null;
        if (description !== current.description) patch.description = description;
      }
      if (dto.winProbability !== undefined && dto.winProbability !== current.winProbability) {
        patch.winProbability = dto.winProbability;
      }
      if (dto.active !== undefined && dto.active !== current.active) patch.active = dto.active;
      if (dto.position !== undefined) {
        const max = await this.stages.maxPosition(tx, organizationId, workspaceId);
        const plan = planMove(current.position, dto.position, max);
        if (plan.shift) {
          await this.stages.shift(tx, organizationId, workspaceId, plan.shift, now, id);
          patch.position = plan.position;
        }
      }
      const changed = Object.keys(patch);
      if (changed.length === 0) return toPipelineStageView(current);
      const updated = Object.assign(new PipelineStageEntity(), current, patch, { updatedAt: now });
      await this.stages.update(tx, scope, id, { ...patch, updatedAt: now });
      await this.changes.record(tx, {
        audit: {
          organizationId,
          actor: actorOf(principal),
          action: PipelineStageAuditActions.updated,
          target: { type: 'pipeline_stage', id },
          client,
          details: {
            changed,
            ...(patch.position !== undefined
              ? { position: { from: current.position, to: patch.position } }
              : {}),
          },
        },
      });
      return toPipelineStageView(updated);
    });
  }

  /** Retires a stage: it leaves the pipeline's list, leads in it keep it. */
  async deactivate(principal: Principal, id: string, client: ClientInfo): Promise<void> {
    const scope = tenantScopeOf(principal);
    await this.uow.run(async (tx) => {
      const current = await this.stages.get(scope, id, tx);
      if (!current.active) return;
      await this.stages.update(tx, scope, id, { active: false, updatedAt: nowMs() });
      await this.changes.record(tx, {
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: PipelineStageAuditActions.deactivated,
          target: { type: 'pipeline_stage', id },
          client,
        },
      });
    });
  }
}
