import type { Page } from '@leadflow/contracts';
import type { TenantScope } from '@leadflow/platform/persistence';
import { TenantRepository, keysetPage } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';

@Injectable()
export class ApiKeysRepository {
  private readonly keys: TenantRepository<ApiKeyEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.keys = new TenantRepository(dataSource.getRepository(ApiKeyEntity), 'api key', {
      workspaceScoped: true,
    });
  }

  async insert(manager: EntityManager, scope: TenantScope, key: ApiKeyEntity): Promise<void> {
    await this.keys.within(manager).insert(scope, [key]);
  }

  get(scope: TenantScope, id: string, manager?: EntityManager): Promise<ApiKeyEntity> {
    return (manager ? this.keys.within(manager) : this.keys).getOrNotFound(scope, id);
  }

  list(scope: TenantScope, query: { limit: number; cursor?: string }): Promise<Page<ApiKeyEntity>> {
    return keysetPage(this.keys.queryBuilder(scope, 'k'), 'k', query, { direction: 'ASC' });
  }

  async revoke(manager: EntityManager, scope: TenantScope, id: string, at: Date): Promise<void> {
    await this.keys.within(manager).update(scope, { id }, { revokedAt: at });
  }

  /** Live (neither revoked nor expired) keys created by the user, in one organization or in all. */
  liveCreatedBy(
    manager: EntityManager,
    userId: string,
    now: Date,
    organizationId?: string,
  ): Promise<ApiKeyEntity[]> {
    const qb = manager
      .getRepository(ApiKeyEntity)
      .createQueryBuilder('k')
      .where('k.createdBy = :userId AND k.revokedAt IS NULL', { userId })
      .andWhere('(k.expiresAt IS NULL OR k.expiresAt > :now)', { now });
    if (organizationId !== undefined) qb.andWhere('k.organizationId = :organizationId', { organizationId });
    return qb.orderBy('k.createdAt', 'ASC').addOrderBy('k.id', 'ASC').getMany();
  }

  /**
   * Lookup by prefix for the exchange. Not tenant-scoped on purpose: the key itself is the
   * credential and names its organization; the hash is checked by the caller.
   */
  findByPrefix(prefix: string): Promise<ApiKeyEntity | null> {
    return this.dataSource.getRepository(ApiKeyEntity).findOne({ where: { prefix } });
  }

  /** Records use at most once a minute per key (no write storm under load). */
  async touchLastUsed(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE identity.api_keys SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [id],
    );
  }
}
