import type { ClientInfo } from '@leadflow/platform/audit';
import { Client } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { CurrentPrincipal, RequireScopes } from '@leadflow/platform/auth';
import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { LeadExportQuery } from './dto/lead-export.query';
import { ExportsService } from './exports.service';
import { writeLeadCsv } from './lead-csv';

function isClientGone(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_STREAM_PREMATURE_CLOSE';
}

@ApiTags('exports')
@ApiBearerAuth()
@Controller('api/v1/exports')
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  @Get('leads')
  @RequireScopes('leads:read')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'The leads as CSV', content: { 'text/csv': { schema: { type: 'string' } } } })
  @ApiOperation({
    summary:
      "Download the caller's leads as CSV, with the lead list's filters (streamed, oldest first; audited; formula-like cells are prefixed with ')",
  })
  async leads(
    @CurrentPrincipal() principal: Principal,
    @Query() query: LeadExportQuery,
    @Client() client: ClientInfo,
    @Res() res: Response,
  ): Promise<void> {
    // Refusals (and a failing first read or audit) answer problem+json: nothing has been sent yet.
    const leadExport = await this.exports.leads(principal, query, client);
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${leadExport.fileName}"`);
    res.setHeader('Cache-Control', 'no-store');
    try {
      await writeLeadCsv(leadExport.records, res);
    } catch (error) {
      // A client that hangs up mid-download is not a failure of ours.
      if (isClientGone(error)) return;
      throw error;
    }
  }
}
