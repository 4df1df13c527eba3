import type { Page } from '@leadflow/contracts';
import type { Principal } from '@leadflow/platform/auth';
import { CurrentPrincipal, RequireRole } from '@leadflow/platform/auth';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditService } from './audit.service';
import type { AuditEntryView } from './dto/audit-entry.view';
import { ListAuditLogQuery } from './dto/list-audit-log.query';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit-log')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RequireRole('admin')
  @ApiOperation({ summary: "The organization's audit log, newest first" })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListAuditLogQuery,
  ): Promise<Page<AuditEntryView>> {
    return this.audit.list(principal, query);
  }
}
