import { ApiProblems } from '@leadflow/platform/service';
import type { Page } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { Client } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { CurrentPrincipal, RequireRole, RequireScopes } from '@leadflow/platform/auth';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CreatePipelineStageDto,
  ListPipelineStagesQuery,
  UpdatePipelineStageDto,
} from './dto/pipeline-stage.dto';
import type { PipelineStageView } from './pipeline-stage.view';
import { PipelineStagesService } from './pipeline-stages.service';

@ApiTags('pipeline-stages')
@ApiBearerAuth()
@Controller('api/v1/pipeline-stages')
export class PipelineStagesController {
  constructor(private readonly stages: PipelineStagesService) {}

  @Get()
  @RequireScopes('leads:read')
  @ApiOperation({ summary: 'Pipeline stages by workspace and position (deactivated ones on request)' })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListPipelineStagesQuery,
  ): Promise<Page<PipelineStageView>> {
    return this.stages.list(principal, query);
  }

  @Post()
  @RequireScopes('leads:write')
  @RequireRole('manager')
  @ApiOperation({
    summary: 'Add a stage to a workspace pipeline (last by default; names unique per workspace)',
  })
  @ApiProblems(409)
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreatePipelineStageDto,
    @Client() client: ClientInfo,
  ): Promise<PipelineStageView> {
    return this.stages.create(principal, dto, client);
  }

  @Patch(':id')
  @RequireScopes('leads:write')
  @RequireRole('manager')
  @ApiOperation({
    summary: 'Rename, describe, move (the others shift), change win probability, (de)activate',
  })
  @ApiProblems(409)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UpdatePipelineStageDto,
    @Client() client: ClientInfo,
  ): Promise<PipelineStageView> {
    return this.stages.update(principal, id, dto, client);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('leads:write')
  @RequireRole('manager')
  @ApiOperation({ summary: 'Deactivate a stage (leads in it keep it)' })
  deactivate(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Client() client: ClientInfo,
  ): Promise<void> {
    return this.stages.deactivate(principal, id, client);
  }
}
