import type { Page } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { Client } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { CurrentPrincipal, RequireScopes } from '@leadflow/platform/auth';
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
import type {
  CreatedWebhookView,
  IntakeRequestDetailView,
  IntakeRequestView,
  WebhookView,
} from './dto/webhook.dto';
import {
  CreateWebhookDto,
  ListIntakeRequestsQuery,
  ListWebhooksQuery,
  RotateSecretDto,
  UpdateWebhookDto,
} from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';
import { NoStore, ApiProblems } from '@leadflow/platform/service';

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('api/v1/webhooks')
@RequireScopes('webhooks:manage')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @NoStore()
  @ApiOperation({
    summary: 'Create a webhook for a workspace; answers its URL and signing secret (shown once)',
  })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateWebhookDto,
    @Client() client: ClientInfo,
  ): Promise<CreatedWebhookView> {
    return this.webhooks.create(principal, dto, client);
  }

  @Get()
  @ApiOperation({ summary: 'List webhooks (archived ones only when asked for by status)' })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListWebhooksQuery,
  ): Promise<Page<WebhookView>> {
    return this.webhooks.list(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One webhook and its settings (never its secret)' })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<WebhookView> {
    return this.webhooks.get(principal, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change settings, or pause/resume (paused webhooks answer vendors 423)' })
  @ApiProblems(409)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UpdateWebhookDto,
    @Client() client: ClientInfo,
  ): Promise<WebhookView> {
    return this.webhooks.update(principal, id, dto, client);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Archive a webhook (vendors get 410; its leads stay)' })
  archive(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Client() client: ClientInfo,
  ): Promise<void> {
    return this.webhooks.archive(principal, id, client);
  }

  @Post(':id/rotate-secret')
  @NoStore()
  @HttpCode(200)
  @ApiOperation({ summary: 'New signing secret; the previous one stays valid for the grace period' })
  @ApiProblems(409)
  rotateSecret(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: RotateSecretDto,
    @Client() client: ClientInfo,
  ): Promise<{ secret: string; previousSecretValidUntil: string | null }> {
    return this.webhooks.rotateSecret(principal, id, dto.graceHours, client);
  }

  @Get(':id/requests')
  @ApiOperation({
    summary: 'Intake log of the webhook: posts with their outcome and reasons, newest first',
    description:
      'Filters: outcome, providerId, from (received at or after) and to (before), ISO 8601. Refusals ' +
      'before the lead is read (401, 403, 429) are logged up to a budget per webhook and minute.',
  })
  requests(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: ListIntakeRequestsQuery,
  ): Promise<Page<IntakeRequestView>> {
    return this.webhooks.requests(principal, id, query);
  }

  @Get(':id/requests/:requestId')
  @ApiOperation({
    summary: 'One logged post: raw body, content type, user agent, IP, Idempotency-Key and outcome',
    description:
      'rawBody is the body exactly as received: text when it is valid UTF-8 (rawBodyEncoding "utf8"), ' +
      'else base64 ("base64"). 404 when the webhook or the request is not one of the caller.',
  })
  request(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('requestId', new ParseUUIDPipe()) requestId: string,
  ): Promise<IntakeRequestDetailView> {
    return this.webhooks.request(principal, id, requestId);
  }
}
