import type { ClientInfo } from '@leadflow/platform/audit';
import { Client } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { CurrentPrincipal, RequireScopes } from '@leadflow/platform/auth';
import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { UpdateOrganizationDto } from './dto/update-organization.dto';
import type { CurrentOrganizationView, OrganizationView } from './organization.view';
import { OrganizationsService } from './organizations.service';

@ApiTags('organizations')
@ApiBearerAuth()
@Controller('api/v1/organizations/current')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Get()
  @ApiOperation({
    summary: "The caller's organization: plan, monthly quotas and usage, and its pending plan request",
    description:
      '`pendingPlanRequest` is the request awaiting the operator, `{ id, plan, requestedAt, requestedBy: { type, id } }`, ' +
      'or `null` when none is pending (after approval or decline).',
  })
  current(@CurrentPrincipal() principal: Principal): Promise<CurrentOrganizationView> {
    return this.organizations.current(principal);
  }

  @Patch()
  @RequireScopes('organization:manage')
  @ApiOperation({
    summary: 'Rename the organization (owners; audited). The plan is not writable here: see plan-requests',
  })
  update(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: UpdateOrganizationDto,
    @Client() client: ClientInfo,
  ): Promise<OrganizationView> {
    return this.organizations.update(principal, dto, client);
  }
}
