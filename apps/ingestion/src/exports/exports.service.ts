import type { ClientInfo } from '@leadflow/platform/audit';
import { ChangeRecorder, actorOf } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { tenantScopeOf } from '@leadflow/platform/auth';
import type { TenantScope } from '@leadflow/platform/persistence';
import { UnitOfWork, nowMs } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import type { LeadFilter } from '../leads/lead-filter';
import type { LeadExportQuery } from './dto/lead-export.query';
import { ExportError, ExportErrorCode } from './exports.errors';
import type { ExportPosition } from './exports.repository';
import { ExportsRepository } from './exports.repository';
import type { LeadCsvSource } from './lead-csv';
import { toLeadCsvRecord } from './lead-csv';

/** Leads read per query: an export holds at most one batch in memory. */
export const EXPORT_BATCH_SIZE = 1000;

export const ExportAuditActions = { leadsExported: 'lead.exported' } as const;

export interface LeadExport {
  fileName: string;
  /** The CSV rows, read batch by batch as they are consumed. */
  records: AsyncIterable<string[]>;
}

/** Downloads of the caller's data as files. */
@Injectable()
export class ExportsService {
  constructor(
    private readonly exports: ExportsRepository,
    private readonly uow: UnitOfWork,
    private readonly changes: ChangeRecorder,
  ) {}

  /**
   * Checks the request, reads the first batch of the caller's leads and audits the export (so a
   * refusal, a database failure or a failed audit still answers a problem document and no lead
   * leaves unaudited); the rest is read batch by batch as the records are consumed. Takes the
   * lead list's filters; leads created after this moment are left out unless `createdTo` says
   * otherwise.
   */
  async leads(principal: Principal, query: LeadExportQuery, client: ClientInfo): Promise<LeadExport> {
    const startedAt = nowMs();
    const createdTo = query.createdTo === undefined ? startedAt : new Date(query.createdTo);
    if (query.createdFrom !== undefined && !(new Date(query.createdFrom) < createdTo))
      throw ExportError.of(ExportErrorCode.InvalidRange);
    const filter: LeadFilter = { ...query, createdTo: createdTo.toISOString() };
    const scope = tenantScopeOf(principal);
    const first = await this.exports.batch(scope, filter, null, EXPORT_BATCH_SIZE);
    await this.uow.run((tx) =>
      this.changes.record(tx, {
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: ExportAuditActions.leadsExported,
          client,
          details: {
            filters: filter,
            // Exact when the first read holds every lead; counting a larger export would read it twice.
            rowCount: first.length < EXPORT_BATCH_SIZE ? first.length : null,
          },
        },
      }),
    );
    return {
      fileName: `leads-${startedAt.toISOString().slice(0, 10)}.csv`,
      records: this.records(scope, filter, first),
    };
  }

  private async *records(
    scope: TenantScope,
    filter: LeadFilter,
    first: LeadCsvSource[],
  ): AsyncGenerator<string[]> {
    let batch = first;
    for (;;) {
      for (const lead of batch) yield toLeadCsvRecord(lead);
      const last = batch[batch.length - 1];
      if (batch.length < EXPORT_BATCH_SIZE || !last) return;
      const after: ExportPosition = { createdAt: last.createdAt, id: last.id };
      batch = await this.exports.batch(scope, filter, after, EXPORT_BATCH_SIZE);
    }
  }
}
