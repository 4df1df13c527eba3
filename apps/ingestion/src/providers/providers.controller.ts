import type { Page } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { Client } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { CurrentPrincipal, RequireScopes } from '@leadflow/platform/auth';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CreatedProviderView, ProviderUsageRow, ProviderView } from './dto/provider.dto';
import {
  CreateProviderDto,
  ListProvidersQuery,
  ProviderUsageQuery,
  UpdateProviderDto,
} from './dto/provider.dto';
import { ProvidersService } from './providers.service';
import { NoStore } from '@leadflow/platform/service';

@ApiTags('providers')
@ApiBearerAuth()
@Controller('api/v1/providers')
@RequireScopes('providers:manage')
export class ProvidersController {
  constructor(private readonly providers: ProvidersService) {}

  @Post()
  @NoStore()
  @ApiOperation({ summary: 'Onboard a lead source; answers its id and API key (shown once)' })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateProviderDto,
    @Client() client: ClientInfo,
  ): Promise<CreatedProviderView> {
    return this.providers.create(principal, dto, client);
  }

  @Get()
  @ApiOperation({ summary: 'List lead providers' })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListProvidersQuery,
  ): Promise<Page<ProviderView>> {
    return this.providers.list(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One lead provider (never its key)' })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<ProviderView> {
    return this.providers.get(principal, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change limits, allowed webhooks, cost, contact details, or deactivate' })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UpdateProviderDto,
    @Client() client: ClientInfo,
  ): Promise<ProviderView> {
    return this.providers.update(principal, id, dto, client);
  }

  @Post(':id/rotate-key')
  @NoStore()
  @HttpCode(200)
  @ApiOperation({ summary: 'Issue a new API key; the old one stops working at once' })
  rotateKey(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Client() client: ClientInfo,
  ): Promise<CreatedProviderView> {
    return this.providers.rotateKey(principal, id, client);
  }

  @Get(':id/usage')
  @ApiOperation({ summary: 'Requests per webhook and hour, by outcome' })
  usage(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: ProviderUsageQuery,
  ): Promise<{ items: ProviderUsageRow[] }> {
    return this.providers.usage(principal, id, query);
  }
}
