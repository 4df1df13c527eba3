import type { TenantScope } from '@leadflow/platform/persistence';
import { TenantRepository } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { LeadFilter } from '../leads/lead-filter';
import { whereLeadMatches } from '../leads/lead-filter';
import { LeadEntity } from '../leads/lead.entity';
import type { LeadCsvSource } from './lead-csv';
import { LeadCsvFields } from './lead-csv';

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

  /**
   * The next `size` leads matching `filter` (the lead list's WHERE) after `after` (keyset, oldest
   * first), only the exported columns.
   */
  batch(
    scope: TenantScope,
    filter: LeadFilter,
    after: ExportPosition | null,
    size: number,
  ): Promise<LeadCsvSource[]> {
    const qb = this.leads.queryBuilder(scope, 'l').select(LeadCsvFields.map((field) => `l.${field}`));
    whereLeadMatches(qb, filter);
    if (after)
      qb.andWhere('(l.createdAt, l.id) > (:afterAt, :afterId)', {
        afterAt: after.createdAt,
        afterId: after.id,
      });
    return qb.orderBy('l.createdAt', 'ASC').addOrderBy('l.id', 'ASC').take(size).getMany();
  }
}
