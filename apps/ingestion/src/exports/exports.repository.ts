import type { LeadStatus, Vertical } from '@leadflow/contracts';
import type { TenantScope } from '@leadflow/platform/persistence';
import { TenantRepository } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LeadEntity } from '../leads/lead.entity';
import type { LeadCsvSource } from './lead-csv';
import { LeadCsvFields } from './lead-csv';

export interface LeadExportFilter {
  status?: LeadStatus;
  workspaceId?: string;
  vertical?: Vertical;
  providerId?: string;
  webhookId?: string;
  createdFrom?: Date;
  createdTo: Date;
}

/** Where the previous batch ended, in (created_at, id) order. */
export interface ExportPosition {
  createdAt: Date;
  id: string;
}

@Injectable()
export class ExportsRepository {
  private readonly leads: TenantRepository<LeadEntity>;

  constructor(dataSource: DataSource) {
    this.leads = new TenantRepository(dataSource.getRepository(LeadEntity), 'lead');
  }

  /** The next `size` leads after `after` (keyset, oldest first), only the exported columns. */
  batch(
    scope: TenantScope,
    filter: LeadExportFilter,
    after: ExportPosition | null,
    size: number,
  ): Promise<LeadCsvSource[]> {
    const qb = this.leads
      .queryBuilder(scope, 'l')
      .select(LeadCsvFields.map((field) => `l.${field}`))
      .andWhere('l.createdAt < :createdTo', { createdTo: filter.createdTo });
    if (filter.createdFrom !== undefined)
      qb.andWhere('l.createdAt >= :createdFrom', { createdFrom: filter.createdFrom });
    if (filter.status !== undefined) qb.andWhere('l.status = :status', { status: filter.status });
    if (filter.workspaceId !== undefined) qb.andWhere('l.workspaceId = :ws', { ws: filter.workspaceId });
    if (filter.vertical !== undefined) qb.andWhere('l.vertical = :vertical', { vertical: filter.vertical });
    if (filter.providerId !== undefined)
      qb.andWhere('l.providerId = :providerId', { providerId: filter.providerId });
    if (filter.webhookId !== undefined)
      qb.andWhere('l.webhookId = :webhookId', { webhookId: filter.webhookId });
    if (after)
      qb.andWhere('(l.createdAt, l.id) > (:afterAt, :afterId)', {
        afterAt: after.createdAt,
        afterId: after.id,
      });
    return qb.orderBy('l.createdAt', 'ASC').addOrderBy('l.id', 'ASC').take(size).getMany();
  }
}
