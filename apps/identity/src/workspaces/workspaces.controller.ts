import type { Page } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { Client } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { CurrentPrincipal, RequireScopes } from '@leadflow/platform/auth';
import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { WorkspaceView } from './dto/workspace.dto';
import { CreateWorkspaceDto, ListWorkspacesQuery, UpdateWorkspaceDto } from './dto/workspace.dto';
import { WorkspacesService } from './workspaces.service';

@ApiTags('workspaces')
@ApiBearerAuth()
@Controller('api/v1/workspaces')
export class WorkspacesController {
  constructor(private readonly workspaces: WorkspacesService) {}

  @Post()
  @RequireScopes('workspaces:manage')
  @ApiOperation({ summary: 'Create a workspace (team, client sub-account or buyer)' })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateWorkspaceDto,
    @Client() client: ClientInfo,
  ): Promise<WorkspaceView> {
    return this.workspaces.create(principal, dto, client);
  }

  @Get()
  @RequireScopes('workspaces:read')
  @ApiOperation({ summary: 'List the workspaces the caller may see' })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListWorkspacesQuery,
  ): Promise<Page<WorkspaceView>> {
    return this.workspaces.list(principal, query);
  }

  @Get(':id')
  @RequireScopes('workspaces:read')
  @ApiOperation({ summary: 'One workspace' })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<WorkspaceView> {
    return this.workspaces.get(principal, id);
  }

  @Patch(':id')
  @RequireScopes('workspaces:manage')
  @ApiOperation({ summary: 'Rename a workspace, change its time zone, or (de)activate it' })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UpdateWorkspaceDto,
    @Client() client: ClientInfo,
  ): Promise<WorkspaceView> {
    return this.workspaces.update(principal, id, dto, client);
  }
}
