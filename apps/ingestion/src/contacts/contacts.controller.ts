import { ApiProblems } from '@leadflow/platform/service';
import type { Page } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { Client } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { CurrentPrincipal, RequireScopes } from '@leadflow/platform/auth';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { LeadView } from '../leads/lead.view';
import type { ContactDetailView, ContactView } from './contact.view';
import { ContactsService } from './contacts.service';
import { ContactLeadsQuery, ListContactsQuery, MergeContactDto, UpdateContactDto } from './dto/contact.dto';

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('api/v1/contacts')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get()
  @RequireScopes('contacts:read')
  @ApiOperation({ summary: 'Search contacts (name, e-mail or phone in any format), newest first' })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListContactsQuery,
  ): Promise<Page<ContactView>> {
    return this.contacts.list(principal, query);
  }

  @Get(':id')
  @RequireScopes('contacts:read')
  @ApiOperation({ summary: 'One contact with the number of its leads' })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<ContactDetailView> {
    return this.contacts.get(principal, id);
  }

  @Patch(':id')
  @RequireScopes('contacts:write')
  @ApiOperation({
    summary: 'Correct names, e-mail, address; replace tags; merge custom fields (null removes a key)',
  })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UpdateContactDto,
    @Client() client: ClientInfo,
  ): Promise<ContactDetailView> {
    return this.contacts.update(principal, id, dto, client);
  }

  @Get(':id/leads')
  @RequireScopes('contacts:read', 'leads:read')
  @ApiOperation({ summary: "The contact's leads, newest first (needs leads:read too: it answers leads)" })
  leads(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: ContactLeadsQuery,
  ): Promise<Page<LeadView>> {
    return this.contacts.leads(principal, id, query);
  }

  @Post(':id/merge')
  @HttpCode(200)
  @RequireScopes('contacts:write')
  @ApiOperation({
    summary:
      'Merge another contact into this one: its leads move here, blank fields are filled, it disappears',
  })
  @ApiProblems(409)
  merge(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: MergeContactDto,
    @Client() client: ClientInfo,
  ): Promise<ContactDetailView> {
    return this.contacts.merge(principal, id, dto, client);
  }
}
