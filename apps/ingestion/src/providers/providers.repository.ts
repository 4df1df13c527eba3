import type { Page } from '@leadflow/contracts';
import type { TenantScope } from '@leadflow/platform/persistence';
import { NotFoundError } from '@leadflow/platform/errors';
import { TenantRepository, keysetPage } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import type { ProviderUsageRow } from './dto/provider.dto';
import { ProviderEntity } from './provider.entity';

@Injectable()
export class ProvidersRepository {
  private readonly providers: TenantRepository<ProviderEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.providers = new TenantRepository(dataSource.getRepository(ProviderEntity), 'provider', {
      workspaceScoped: false,
    });
  }

  async insert(tx: EntityManager, scope: TenantScope, provider: ProviderEntity): Promise<void> {
    await this.providers.within(tx).insert(scope, [provider]);
  }

  /** The provider, if the caller holds it; else 404. */
  async get(scope: TenantScope, id: string, tx?: EntityManager): Promise<ProviderEntity> {
    const qb = this.held((tx ? this.providers.within(tx) : this.providers).queryBuilder(scope, 'p'), scope);
    const row = await qb.andWhere('p.id = :id', { id }).getOne();
    if (!row) throw new NotFoundError('provider', id);
    return row;
  }

  /**
   * Only the providers a workspace-limited caller holds: those limited to some of its workspaces
   * (an organization-wide provider, or one serving another workspace, is not found).
   */
  private held(
    qb: SelectQueryBuilder<ProviderEntity>,
    scope: TenantScope,
  ): SelectQueryBuilder<ProviderEntity> {
    if (scope.workspaceIds === undefined) return qb;
    return qb.andWhere(
      'p.workspaceIds IS NOT NULL AND cardinality(p.workspaceIds) > 0 AND p.workspaceIds <@ CAST(:heldWs AS uuid[])',
      { heldWs: [...scope.workspaceIds] },
    );
  }

  async update(
    tx: EntityManager,
    scope: TenantScope,
    id: string,
    patch: Partial<ProviderEntity>,
  ): Promise<void> {
    await this.providers.within(tx).update(scope, { id }, patch);
  }

  /** Marks the provider used (at most once a minute, so busy providers do not contend on the row). */
  async touch(organizationId: string, id: string, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE ingestion.providers SET last_used_at = $3
        WHERE organization_id = $1 AND id = $2 AND (last_used_at IS NULL OR last_used_at < $3::timestamptz - interval '1 minute')`,
      [organizationId, id, at],
    );
  }

  list(
    scope: TenantScope,
    query: { limit: number; cursor?: string; active?: boolean },
  ): Promise<Page<ProviderEntity>> {
    const qb = this.held(this.providers.queryBuilder(scope, 'p'), scope);
    if (query.active !== undefined) qb.andWhere('p.active = :active', { active: query.active });
    return keysetPage(qb, 'p', query, { direction: 'ASC' });
  }

  /** Requests per webhook and hour, by outcome, from the intake log (of the caller's workspaces). */
  async usage(scope: TenantScope, providerId: string, from: Date, to: Date): Promise<ProviderUsageRow[]> {
    const rows = await this.dataSource.query<
      {
        webhook_id: string;
        hour: Date;
        requests: number;
        accepted: number;
        duplicates: number;
        rejected: number;
      }[]
    >(
      `SELECT webhook_id, date_trunc('hour', received_at) AS hour, count(*)::int AS requests,
              count(*) FILTER (WHERE outcome = 'accepted')::int AS accepted,
              count(*) FILTER (WHERE outcome = 'duplicate')::int AS duplicates,
              count(*) FILTER (WHERE outcome = 'rejected')::int AS rejected
         FROM ingestion.intake_requests
        WHERE organization_id = $1 AND provider_id = $2 AND received_at >= $3 AND received_at < $4
          AND ($5::uuid[] IS NULL OR workspace_id = ANY($5::uuid[]))
        GROUP BY 1, 2 ORDER BY 2, 1`,
      [scope.organizationId, providerId, from, to, scope.workspaceIds ? [...scope.workspaceIds] : null],
    );
    return rows.map((r) => ({
      webhookId: r.webhook_id,
      hour: new Date(r.hour).toISOString(),
      requests: r.requests,
      accepted: r.accepted,
      duplicates: r.duplicates,
      rejected: r.rejected,
    }));
  }
}
