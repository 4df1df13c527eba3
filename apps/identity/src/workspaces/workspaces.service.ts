import type { Page } from '@leadflow/contracts';
import { WorkspaceCreated, WorkspaceUpdated } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { ChangeRecorder, actorOf } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { tenantScopeOf } from '@leadflow/platform/auth';
import { UnitOfWork, nowMs, pageOf } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AuditActions } from '../audit/audit-actions';
import type { CreateWorkspaceDto, UpdateWorkspaceDto, WorkspaceView } from './dto/workspace.dto';
import { toWorkspaceView, workspacePayload } from './dto/workspace.dto';
import { WorkspaceEntity } from './workspace.entity';
import { WorkspaceError, WorkspaceErrorCode } from './workspaces.errors';
import { WorkspacesRepository } from './workspaces.repository';

@Injectable()
export class WorkspacesService {
  constructor(
    private readonly workspaces: WorkspacesRepository,
    private readonly uow: UnitOfWork,
    private readonly changes: ChangeRecorder,
  ) {}

  async create(principal: Principal, dto: CreateWorkspaceDto, client: ClientInfo): Promise<WorkspaceView> {
    if (principal.workspaceIds) throw WorkspaceError.of(WorkspaceErrorCode.WorkspaceLimited);
    const scope = tenantScopeOf(principal);
    const now = nowMs();
    const workspace = Object.assign(new WorkspaceEntity(), {
      id: uuidv7(),
      organizationId: principal.organizationId,
      name: dto.name.trim(),
      kind: dto.kind,
      timezone: dto.timezone ?? 'UTC',
      status: 'active',
      createdAt: now,
      updatedAt: now,
    } satisfies WorkspaceEntity);
    await this.uow.run(async (manager) => {
      await this.workspaces.insert(manager, scope, workspace);
      await this.changes.record(manager, {
        events: [
          {
            contract: WorkspaceCreated,
            aggregateId: workspace.id,
            organizationId: workspace.organizationId,
            workspaceId: workspace.id,
            payload: workspacePayload(workspace),
          },
        ],
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: AuditActions.workspaceCreated,
          target: { type: 'workspace', id: workspace.id },
          workspaceIds: [workspace.id],
          client,
          details: { name: workspace.name, kind: workspace.kind },
        },
      });
    });
    return toWorkspaceView(workspace);
  }

  async list(principal: Principal, query: { limit: number; cursor?: string }): Promise<Page<WorkspaceView>> {
    return pageOf(await this.workspaces.list(tenantScopeOf(principal), query), toWorkspaceView);
  }

  async get(principal: Principal, id: string): Promise<WorkspaceView> {
    return toWorkspaceView(await this.workspaces.get(tenantScopeOf(principal), id));
  }

  async update(
    principal: Principal,
    id: string,
    dto: UpdateWorkspaceDto,
    client: ClientInfo,
  ): Promise<WorkspaceView> {
    const scope = tenantScopeOf(principal);
    return this.uow.run(async (manager) => {
      const current = await this.workspaces.get(scope, id, manager);
      const patch: Partial<WorkspaceEntity> = {};
      if (dto.name !== undefined && dto.name.trim() !== current.name) patch.name = dto.name.trim();
      if (dto.timezone !== undefined && dto.timezone !== current.timezone) patch.timezone = dto.timezone;
      if (dto.status !== undefined && dto.status !== current.status) patch.status = dto.status;
      if (Object.keys(patch).length === 0) return toWorkspaceView(current);
      const updated = Object.assign(new WorkspaceEntity(), current, patch, { updatedAt: nowMs() });
      await this.workspaces.update(manager, scope, id, { ...patch, updatedAt: updated.updatedAt });
      await this.changes.record(manager, {
        events: [
          {
            contract: WorkspaceUpdated,
            aggregateId: id,
            organizationId: updated.organizationId,
            workspaceId: id,
            payload: workspacePayload(updated),
          },
        ],
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: AuditActions.workspaceUpdated,
          target: { type: 'workspace', id },
          workspaceIds: [id],
          client,
          details: { changed: Object.keys(patch) },
        },
      });
      return toWorkspaceView(updated);
    });
  }
}
