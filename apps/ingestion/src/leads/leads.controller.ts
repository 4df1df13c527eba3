import { ApiProblems } from '@leadflow/platform/service';
import type { Page } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { Client } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { CurrentPrincipal, RequireScopes } from '@leadflow/platform/auth';
import { PageQuery } from '@leadflow/platform/persistence';
import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ActivityView, NoteView, StatusChangeView } from './dto/lead.dto';
import { CreateNoteDto, ListLeadsQuery, LogActivityDto, UpdateLeadDto } from './dto/lead.dto';
import type { LeadView } from './lead.view';
import { LeadsService } from './leads.service';

@ApiTags('leads')
@ApiBearerAuth()
@Controller('api/v1/leads')
export class LeadsController {
  constructor(private readonly leads: LeadsService) {}

  @Get()
  @RequireScopes('leads:read')
  @ApiOperation({ summary: 'Search leads, newest first (filters combine; q matches name, e-mail and phone)' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListLeadsQuery): Promise<Page<LeadView>> {
    return this.leads.list(principal, query);
  }

  @Get(':id')
  @RequireScopes('leads:read')
  @ApiOperation({ summary: 'One lead' })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<LeadView & { statusHistory: StatusChangeView[] }> {
    return this.leads.get(principal, id);
  }

  @Patch(':id')
  @RequireScopes('leads:write')
  @ApiOperation({
    summary: 'Change status (allowed transitions only), stage, assignee, priority, follow-up, tags',
  })
  @ApiProblems(409)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UpdateLeadDto,
    @Client() client: ClientInfo,
  ): Promise<LeadView> {
    return this.leads.update(principal, id, dto, client);
  }

  @Post(':id/notes')
  @RequireScopes('leads:write')
  @ApiOperation({ summary: 'Add a note to a lead' })
  addNote(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: CreateNoteDto,
  ): Promise<NoteView> {
    return this.leads.addNote(principal, id, dto);
  }

  @Get(':id/notes')
  @RequireScopes('leads:read')
  @ApiOperation({ summary: 'A lead’s notes, newest first' })
  notes(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: PageQuery,
  ): Promise<Page<NoteView>> {
    return this.leads.notes(principal, id, query);
  }

  @Post(':id/activities')
  @RequireScopes('leads:write')
  @ApiOperation({ summary: 'Log a call, e-mail, SMS or meeting on the timeline' })
  logActivity(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: LogActivityDto,
  ): Promise<ActivityView> {
    return this.leads.logActivity(principal, id, dto);
  }

  @Get(':id/activities')
  @RequireScopes('leads:read')
  @ApiOperation({ summary: 'Timeline (status changes, notes, calls, e-mails, meetings), newest first' })
  activities(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: PageQuery,
  ): Promise<Page<ActivityView>> {
    return this.leads.activities(principal, id, query);
  }
}
