import type { Page } from '@leadflow/contracts';
import type { AuditEntryView } from '@leadflow/platform/audit';
import { AuditLog, AuditLogQuery } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { CurrentPrincipal, RequireRole } from '@leadflow/platform/auth';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit-log')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @RequireRole('admin')
  @ApiOperation({ summary: "The organization's audit log, newest first" })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: AuditLogQuery,
  ): Promise<Page<AuditEntryView>> {
    return this.audit.list(principal, query);
  }
}
