import type { Page } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { Client } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { CurrentPrincipal, Public, RequireScopes } from '@leadflow/platform/auth';
import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TokenPair } from '../auth/dto/auth.dto';
import type { InvitationView } from './dto/invitation.dto';
import { AcceptInvitationDto, CreateInvitationDto, ListInvitationsQuery } from './dto/invitation.dto';
import { InvitationsService } from './invitations.service';
import { NoStore, ApiProblems } from '@leadflow/platform/service';

@ApiTags('invitations')
@Controller('api/v1')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Post('members')
  @ApiBearerAuth()
  @RequireScopes('members:manage')
  @ApiOperation({
    summary:
      'Invite someone by e-mail; the token goes out sealed in the user.invited event (MAIL_TOKENS_KEY)',
  })
  @ApiProblems(409)
  invite(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateInvitationDto,
    @Client() client: ClientInfo,
  ): Promise<InvitationView> {
    return this.invitations.invite(principal, dto, client);
  }

  @Get('invitations')
  @ApiBearerAuth()
  @RequireScopes('members:read')
  @ApiOperation({ summary: 'List invitations (filter `status`)' })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListInvitationsQuery,
  ): Promise<Page<InvitationView>> {
    return this.invitations.list(principal, query);
  }

  @Delete('invitations/:id')
  @ApiBearerAuth()
  @RequireScopes('members:manage')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a pending invitation' })
  @ApiProblems(410)
  revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Client() client: ClientInfo,
  ): Promise<void> {
    return this.invitations.revoke(principal, id, client);
  }

  @Public()
  @Post('invitations/accept')
  @NoStore()
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept an invitation: joins the organization and signs in there' })
  @ApiProblems(401, 409, 410)
  accept(@Body() dto: AcceptInvitationDto, @Client() client: ClientInfo): Promise<TokenPair> {
    return this.invitations.accept(dto, client);
  }
}
