import type { Principal } from '@leadflow/platform/auth';
import { tenantScopeOf } from '@leadflow/platform/auth';
import type { TenantScope } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { nowMs } from '../common/time';
import type { LeadExportQuery } from './dto/lead-export.query';
import { InvalidExportRangeError } from './exports.errors';
import type { ExportPosition, LeadExportFilter } from './exports.repository';
import { ExportsRepository } from './exports.repository';
import type { LeadCsvSource } from './lead-csv';
import { toLeadCsvRecord } from './lead-csv';

/** Leads read per query: an export holds at most one batch in memory. */
export const EXPORT_BATCH_SIZE = 1000;

export interface LeadExport {
  fileName: string;
  /** The CSV rows, read batch by batch as they are consumed. */
  records: AsyncIterable<string[]>;
}

/** Downloads of the caller's data as files. */
@Injectable()
export class ExportsService {
  constructor(private readonly exports: ExportsRepository) {}

  /**
   * Checks the request and reads the first batch of the caller's leads (so a refusal or a database
   * failure still answers a problem document); the rest is read batch by batch as the records are
   * consumed. Leads created after this moment are left out unless `createdTo` says otherwise.
   */
  async leads(principal: Principal, query: LeadExportQuery): Promise<LeadExport> {
    const startedAt = nowMs();
    const createdFrom = query.createdFrom === undefined ? undefined : new Date(query.createdFrom);
    const createdTo = query.createdTo === undefined ? startedAt : new Date(query.createdTo);
    if (createdFrom !== undefined && !(createdFrom < createdTo)) throw new InvalidExportRangeError();
    const filter: LeadExportFilter = {
      status: query.status,
      workspaceId: query.workspaceId,
      vertical: query.vertical,
      providerId: query.providerId,
      webhookId: query.webhookId,
      createdFrom,
      createdTo,
    };
    const scope = tenantScopeOf(principal);
    const first = await this.exports.batch(scope, filter, null, EXPORT_BATCH_SIZE);
    return {
      fileName: `leads-${startedAt.toISOString().slice(0, 10)}.csv`,
      records: this.records(scope, filter, first),
    };
  }

  private async *records(
    scope: TenantScope,
    filter: LeadExportFilter,
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
