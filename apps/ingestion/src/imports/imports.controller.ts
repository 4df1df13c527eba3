import { ApiProblems } from '@leadflow/platform/service';
import type { Page } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { Client } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { CurrentPrincipal, RequireScopes } from '@leadflow/platform/auth';
import {
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import type { CreatedImportView, ImportView } from './dto/import.dto';
import { ListImportsQuery } from './dto/import.dto';
import { ImportUploadReceiver } from './import-upload.receiver';
import { ImportsService } from './imports.service';

@ApiTags('imports')
@ApiBearerAuth()
@Controller('api/v1/imports')
@RequireScopes('imports:write')
export class ImportsController {
  constructor(
    private readonly imports: ImportsService,
    private readonly uploads: ImportUploadReceiver,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Import leads from a CSV file for a webhook (its vertical, mapping, consent and dedup settings)',
    description:
      'multipart/form-data: `webhookId`, optional `columnMapping` (JSON { "<csv header>": "<canonical field>" | ' +
      'null to ignore the column }) and `file` (CSV with a header row, at most IMPORT_MAX_BYTES). Answers 202 with ' +
      'the import id and how each header was matched; the rows are imported in the background (GET the import ' +
      'for progress). Rows are numbered from 1 after the header row.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['webhookId', 'file'],
      properties: {
        webhookId: { type: 'string', format: 'uuid' },
        columnMapping: { type: 'string', description: 'JSON object: csv header → canonical field (or null)' },
        file: { type: 'string', format: 'binary' },
      },
    },
  })
  @ApiProblems(409, 413, 415)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Client() client: ClientInfo,
  ): Promise<CreatedImportView> {
    const upload = await this.uploads.receive(req);
    return this.imports.create(principal, upload, client);
  }

  @Get()
  @ApiOperation({ summary: 'List imports, newest first' })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListImportsQuery,
  ): Promise<Page<ImportView>> {
    return this.imports.list(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'An import and its progress (counts, rate, ETA)' })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<ImportView> {
    return this.imports.get(principal, id);
  }

  @Get(':id/errors')
  @ApiOperation({ summary: 'The rejected rows as CSV: row, errors, then the original columns' })
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: 'The rejected rows as CSV',
    content: { 'text/csv': { schema: { type: 'string' } } },
  })
  async errors(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<StreamableFile> {
    const report = await this.imports.errorReport(principal, id);
    return new StreamableFile(report.csv, {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="${report.fileName}"`,
    });
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a queued or running import (rows already imported stay)' })
  @ApiProblems(409)
  cancel(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Client() client: ClientInfo,
  ): Promise<ImportView> {
    return this.imports.cancel(principal, id, client);
  }
}
