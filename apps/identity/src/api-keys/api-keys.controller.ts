import type { Page } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { Client } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { CurrentPrincipal, Public, RequireScopes } from '@leadflow/platform/auth';
import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeysService } from './api-keys.service';
import type { ApiKeyView, CreatedApiKey } from './dto/api-key.dto';
import { CreateApiKeyDto, ListApiKeysQuery } from './dto/api-key.dto';
import { NoStore } from '@leadflow/platform/service';

@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @NoStore()
  @RequireScopes('api-keys:manage')
  @ApiOperation({ summary: 'Create an API key; the key is shown only in this answer' })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateApiKeyDto,
    @Client() client: ClientInfo,
  ): Promise<CreatedApiKey> {
    return this.apiKeys.create(principal, dto, client);
  }

  @Get()
  @RequireScopes('api-keys:manage')
  @ApiOperation({ summary: 'List the organization’s API keys (never the keys themselves)' })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListApiKeysQuery,
  ): Promise<Page<ApiKeyView>> {
    return this.apiKeys.list(principal, query);
  }

  @Delete(':id')
  @RequireScopes('api-keys:manage')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key: refused everywhere within 5 s' })
  revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Client() client: ClientInfo,
  ): Promise<void> {
    return this.apiKeys.revoke(principal, id, client);
  }
}

/** For the gateway: `X-Api-Key` in, short-lived access token out (the key is the credential). */
@Controller('internal/api-keys')
export class ApiKeyExchangeController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Public()
  @Post('exchange')
  @NoStore()
  @HttpCode(200)
  @ApiExcludeEndpoint()
  exchange(
    @Headers('x-api-key') key: string | undefined,
  ): Promise<{ accessToken: string; expiresIn: number; tokenType: 'Bearer' }> {
    return this.apiKeys.exchange(key);
  }
}
