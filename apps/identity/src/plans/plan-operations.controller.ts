import { ApiProblems } from '@leadflow/platform/service';
import type { Page } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { Client } from '@leadflow/platform/audit';
import { OperatorOnly } from '@leadflow/platform/auth';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { OrganizationView } from '../organizations/organization.view';
import type { PlanRequestView } from './dto/plan.dto';
import { DecidePlanRequestDto, ListPlanRequestsQuery, SetPlanDto } from './dto/plan.dto';
import { PlansService } from './plans.service';

/**
 * The operator's plan tools (X-Operator-Token; identity's port only — the gateway routes neither
 * `organization-plans` nor `plan-requests`).
 */
@ApiTags('plans')
@OperatorOnly()
@Controller('api/v1')
export class PlanOperationsController {
  constructor(private readonly plans: PlansService) {}

  @Put('organization-plans/:organizationId')
  @ApiOperation({ summary: 'Operators: set an organization’s plan; its quotas follow at once (audited)' })
  setPlan(
    @Param('organizationId', new ParseUUIDPipe()) organizationId: string,
    @Body() dto: SetPlanDto,
    @Client() client: ClientInfo,
  ): Promise<OrganizationView> {
    return this.plans.setPlan(organizationId, dto, client);
  }

  @Get('plan-requests')
  @ApiOperation({ summary: 'Operators: every organization’s plan requests (pending unless `status`)' })
  list(@Query() query: ListPlanRequestsQuery): Promise<Page<PlanRequestView>> {
    return this.plans.listForOperator(query);
  }

  @Post('plan-requests/:id/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Operators: approve a pending request; the plan changes as with PUT' })
  @ApiProblems(409)
  approve(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: DecidePlanRequestDto,
    @Client() client: ClientInfo,
  ): Promise<PlanRequestView> {
    return this.plans.approve(id, dto, client);
  }

  @Post('plan-requests/:id/decline')
  @HttpCode(200)
  @ApiOperation({ summary: 'Operators: decline a pending request' })
  @ApiProblems(409)
  decline(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: DecidePlanRequestDto,
    @Client() client: ClientInfo,
  ): Promise<PlanRequestView> {
    return this.plans.decline(id, dto, client);
  }
}
