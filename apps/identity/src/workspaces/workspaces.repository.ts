import type { Page } from '@leadflow/contracts';
import type { TenantScope } from '@leadflow/platform/persistence';
import { TenantRepository, keysetPage } from '@leadflow/platform/persistence';
import { NotFoundError } from '@leadflow/platform/errors';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { WorkspaceEntity } from './workspace.entity';

/**
 * Workspaces through the tenant repository (organization filter always on). A workspace-limited
 * caller additionally sees only the workspaces it is limited to (their ids are the rows' ids).
 */
@Injectable()
export class WorkspacesRepository {
  private readonly workspaces: TenantRepository<WorkspaceEntity>;

  constructor(dataSource: DataSource) {
    this.workspaces = new TenantRepository(dataSource.getRepository(WorkspaceEntity), 'workspace', {
      workspaceScoped: false,
    });
  }

  async insert(
    manager: EntityManager,
    scope: TenantScope,
    workspace: WorkspaceEntity,
  ): Promise<WorkspaceEntity> {
    const [saved] = await this.workspaces.within(manager).insert(scope, [workspace]);
    return saved;
  }

  async get(scope: TenantScope, id: string, manager?: EntityManager): Promise<WorkspaceEntity> {
    const repo = manager ? this.workspaces.within(manager) : this.workspaces;
    if (scope.workspaceIds && !scope.workspaceIds.includes(id)) throw new NotFoundError('workspace', id);
    return repo.getOrNotFound(scope, id);
  }

  /** Ids among `ids` that are workspaces of the scope's organization. */
  async existing(scope: TenantScope, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.workspaces.find(scope, { where: { id: In([...ids]) }, select: { id: true } });
    return rows.map((r) => r.id);
  }

  list(scope: TenantScope, query: { limit: number; cursor?: string }): Promise<Page<WorkspaceEntity>> {
    const qb = this.workspaces.queryBuilder(scope, 'w');
    if (scope.workspaceIds) {
      qb.andWhere('w.id IN (:...__ids)', {
        __ids: scope.workspaceIds.length ? [...scope.workspaceIds] : [null],
      });
    }
    return keysetPage(qb, 'w', query, { direction: 'ASC' });
  }

  async update(
    manager: EntityManager,
    scope: TenantScope,
    id: string,
    patch: Partial<WorkspaceEntity>,
  ): Promise<void> {
    await this.workspaces.within(manager).update(scope, { id }, patch);
  }
}
