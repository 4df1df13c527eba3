import type { Page } from '@leadflow/contracts';
import type { TenantScope } from '@leadflow/platform/persistence';
import { TenantRepository, keysetPage } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditEntryEntity } from './audit-entry.entity';

/** The only code that touches the `audit_log` table. */
@Injectable()
export class AuditLogRepository {
  private readonly entries: TenantRepository<AuditEntryEntity>;

  constructor(dataSource: DataSource) {
    this.entries = new TenantRepository(dataSource.getRepository(AuditEntryEntity), 'audit entry', {
      workspaceScoped: false,
    });
  }

  async insert(manager: EntityManager, entry: AuditEntryEntity): Promise<void> {
    // details is free-form JSON; TypeORM's deep-partial type cannot express `unknown` values.
    await manager.getRepository(AuditEntryEntity).insert(entry as QueryDeepPartialEntity<AuditEntryEntity>);
  }

  /** Newest first. */
  list(
    scope: TenantScope,
    query: { limit: number; cursor?: string; action?: string },
  ): Promise<Page<AuditEntryEntity>> {
    const qb = this.entries.queryBuilder(scope, 'a');
    if (scope.workspaceIds)
      qb.andWhere('a.workspace_ids && CAST(:workspaceIds AS uuid[])', {
        workspaceIds: [...scope.workspaceIds],
      });
    if (query.action !== undefined) qb.andWhere('a.action = :action', { action: query.action });
    return keysetPage(qb, 'a', query);
  }
}
