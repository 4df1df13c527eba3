import type { Page } from '@leadflow/contracts';
import type { TenantScope } from '@leadflow/platform/persistence';
import { TenantRepository, keysetPage } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { SelectQueryBuilder } from 'typeorm';
import type { PlanRequestStatus } from './plan-request.entity';
import { PlanRequestEntity } from './plan-request.entity';

interface ListQuery {
  status?: PlanRequestStatus;
  limit: number;
  cursor?: string;
}

/**
 * Plan requests. Tenants reach them through the tenant repository (organization filter always on);
 * the operator's queue and decisions are the only cross-tenant reads (operator-only routes).
 */
@Injectable()
export class PlanRequestsRepository {
  private readonly requests: TenantRepository<PlanRequestEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.requests = new TenantRepository(dataSource.getRepository(PlanRequestEntity), 'plan request', {
      workspaceScoped: false,
    });
  }

  async insert(manager: EntityManager, scope: TenantScope, request: PlanRequestEntity): Promise<void> {
    await this.requests.within(manager).insert(scope, [request]);
  }

  findPending(manager: EntityManager, scope: TenantScope): Promise<PlanRequestEntity | null> {
    return this.requests.within(manager).findOne(scope, { status: 'pending' });
  }

  /** The organization's pending request, read outside any transaction. */
  pendingOf(scope: TenantScope): Promise<PlanRequestEntity | null> {
    return this.requests.findOne(scope, { status: 'pending' });
  }

  get(scope: TenantScope, id: string): Promise<PlanRequestEntity> {
    return this.requests.getOrNotFound(scope, id);
  }

  list(scope: TenantScope, query: ListQuery): Promise<Page<PlanRequestEntity>> {
    const qb = this.requests.queryBuilder(scope, 'r');
    return this.page(qb, query);
  }

  /** Operators: every organization's requests. */
  listAll(query: ListQuery): Promise<Page<PlanRequestEntity>> {
    return this.page(this.dataSource.getRepository(PlanRequestEntity).createQueryBuilder('r'), query);
  }

  /** Operators: one request of any organization (unlocked: read its organization first, then lock). */
  findAny(id: string): Promise<PlanRequestEntity | null> {
    return this.dataSource.getRepository(PlanRequestEntity).findOne({ where: { id } });
  }

  /** The request, locked for the rest of the transaction (after its organization's row). */
  lock(manager: EntityManager, scope: TenantScope, id: string): Promise<PlanRequestEntity | null> {
    return manager.getRepository(PlanRequestEntity).findOne({
      where: { id, organizationId: scope.organizationId },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async update(
    manager: EntityManager,
    scope: TenantScope,
    id: string,
    patch: Partial<PlanRequestEntity>,
  ): Promise<void> {
    await this.requests.within(manager).update(scope, { id }, patch);
  }

  private page(
    qb: SelectQueryBuilder<PlanRequestEntity>,
    query: ListQuery,
  ): Promise<Page<PlanRequestEntity>> {
    if (query.status !== undefined) qb.andWhere('r.status = :status', { status: query.status });
    return keysetPage(qb, 'r', query, { direction: 'ASC' });
  }
}
