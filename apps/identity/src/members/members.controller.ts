import { ApiProblems } from '@leadflow/platform/service';
import type { Page } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { Client } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { CurrentPrincipal, RequireRole, RequireScopes } from '@leadflow/platform/auth';
import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { MemberView, RemovedMemberView } from './dto/member.dto';
import { ListMembersQuery, RemoveMemberQuery, UpdateMemberDto } from './dto/member.dto';
import { MembersService } from './members.service';

@ApiTags('members')
@ApiBearerAuth()
@Controller('api/v1/members')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Get()
  @RequireScopes('members:read')
  @ApiOperation({ summary: 'List the organization’s members with their roles and workspaces' })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListMembersQuery,
  ): Promise<Page<MemberView>> {
    return this.members.list(principal, query);
  }

  @Patch(':id')
  @RequireRole('admin')
  @RequireScopes('members:manage')
  @ApiOperation({ summary: "Change a member's role or workspaces (id: the user's id)" })
  @ApiProblems(409)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UpdateMemberDto,
    @Client() client: ClientInfo,
  ): Promise<MemberView> {
    return this.members.update(principal, id, dto, client);
  }

  @Delete(':id')
  @RequireRole('admin')
  @RequireScopes('members:manage')
  @ApiOperation({
    summary:
      "Remove a member (id: the user's id): their sessions end and the API keys they created are revoked unless an owner keeps them (keepApiKeys=true)",
  })
  @ApiProblems(409)
  remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: RemoveMemberQuery,
    @Client() client: ClientInfo,
  ): Promise<RemovedMemberView> {
    return this.members.remove(principal, id, query.keepApiKeys === true, client);
  }
}
