import { ApiProblems } from '@leadflow/platform/service';
import type { Page } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { Client } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { CurrentPrincipal, RequireRole } from '@leadflow/platform/auth';
import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { PlanRequestView } from './dto/plan.dto';
import { CreatePlanRequestDto, ListPlanRequestsQuery } from './dto/plan.dto';
import { PlansService } from './plans.service';

/** Owners ask the operator for another plan; owners and admins follow their requests. */
@ApiTags('organizations')
@ApiBearerAuth()
@Controller('api/v1/organizations/current/plan-requests')
export class PlanRequestsController {
  constructor(private readonly plans: PlansService) {}

  @Post()
  @RequireRole('owner')
  @ApiOperation({
    summary: 'Ask the operator to move the organization to another plan (owners; one pending at a time)',
  })
  @ApiProblems(409)
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreatePlanRequestDto,
    @Client() client: ClientInfo,
  ): Promise<PlanRequestView> {
    return this.plans.request(principal, dto, client);
  }

  @Get()
  @RequireRole('admin')
  @ApiOperation({ summary: "The organization's plan requests, oldest first (filter `status`)" })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListPlanRequestsQuery,
  ): Promise<Page<PlanRequestView>> {
    return this.plans.list(principal, query);
  }

  @Get(':id')
  @RequireRole('admin')
  @ApiOperation({ summary: 'One plan request of the organization (another organization’s: 404)' })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<PlanRequestView> {
    return this.plans.get(principal, id);
  }
}
