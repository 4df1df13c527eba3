import type { Page } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { ChangeRecorder, actorOf } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { tenantScopeOf } from '@leadflow/platform/auth';
import { NotFoundError } from '@leadflow/platform/errors';
import { UnitOfWork, nowMs, pageOf } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { IngestionEnv } from '../config/env.schema';
import { DirectoryService } from '../directory/directory.service';
import { validateFieldMapping } from '@leadflow/normalization';
import type {
  CreateWebhookDto,
  CreatedWebhookView,
  IntakeRequestDetailView,
  IntakeRequestView,
  ListIntakeRequestsQuery,
  ListWebhooksQuery,
  UpdateWebhookDto,
  WebhookView,
} from './dto/webhook.dto';
import { generateWebhookSecret } from './webhook-signature';
import { WebhookSecrets } from './webhook-secrets';
import { toIntakeRequestDetailView, toIntakeRequestView, toWebhookView } from './webhook.view';
import { WebhookEntity } from './webhook.entity';
import { WebhookError, WebhookErrorCode } from './webhooks.errors';
import { WebhooksRepository } from './webhooks.repository';

export const WebhookAuditActions = {
  created: 'webhook.created',
  updated: 'webhook.updated',
  secretRotated: 'webhook.secret_rotated',
  archived: 'webhook.archived',
} as const;

type RateSettings = Pick<UpdateWebhookDto, 'rateLimit' | 'rateLimitPerMinute' | 'rateWindowSeconds'>;

function rateOf(dto: RateSettings): { rateLimit?: number; rateWindowSeconds?: number } {
  if (dto.rateLimitPerMinute !== undefined) {
    if (dto.rateLimit !== undefined || dto.rateWindowSeconds !== undefined)
      throw WebhookError.of(WebhookErrorCode.RateLimitConflict);
    return { rateLimit: dto.rateLimitPerMinute, rateWindowSeconds: 60 };
  }
  return { rateLimit: dto.rateLimit, rateWindowSeconds: dto.rateWindowSeconds };
}

function checkMapping(mapping: unknown): void {
  if (mapping === undefined) return;
  const issues = validateFieldMapping(mapping);
  if (issues.length > 0) throw WebhookError.of(WebhookErrorCode.InvalidFieldMapping, { fieldErrors: issues });
}

/** A period bound of the request log as a Date (ISO week and ordinal dates name no instant). */
function instantOf(field: 'from' | 'to', value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw WebhookError.of(WebhookErrorCode.InvalidPeriod, {
      field,
      rule: 'isIso8601',
      message: `${field} must be an ISO 8601 date-time`,
    });
  }
  return date;
}

/** Webhook configurations: where vendors post, how their leads are read, limited and de-duplicated. */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly secrets: WebhookSecrets,
    private readonly directory: DirectoryService,
    private readonly uow: UnitOfWork,
    private readonly changes: ChangeRecorder,
    private readonly env: IngestionEnv,
  ) {}

  async create(principal: Principal, dto: CreateWebhookDto, client: ClientInfo): Promise<CreatedWebhookView> {
    const scope = tenantScopeOf(principal);
    if (scope.workspaceIds && !scope.workspaceIds.includes(dto.workspaceId)) {
      throw new NotFoundError('workspace', dto.workspaceId);
    }
    checkMapping(dto.fieldMapping);
    const rate = rateOf(dto);
    await this.directory.requireWorkspace(principal.organizationId, dto.workspaceId);
    const id = uuidv7();
    const secret = generateWebhookSecret();
    const now = nowMs();
    const webhook = Object.assign(new WebhookEntity(), {
      id,
      organizationId: principal.organizationId,
      workspaceId: dto.workspaceId,
      name: dto.name.trim(),
      description: dto.description ?? null,
      vertical: dto.vertical,
      status: 'active',
      requireSignature: dto.requireSignature ?? false,
      requireConsent: dto.requireConsent ?? false,
      rateLimit: rate.rateLimit ?? 100,
      rateWindowSeconds: rate.rateWindowSeconds ?? 60,
      dedupWindowHours: dto.dedupWindowHours ?? 720,
      dedupMatch: dto.dedupMatch ?? ['external_id', 'phone', 'email'],
      dedupScope: dto.dedupScope ?? 'webhook',
      fieldMapping: dto.fieldMapping ?? {},
      secretSealed: this.secrets.seal(id, secret),
      previousSecretSealed: null,
      previousSecretExpiresAt: null,
      createdBy: principal.id,
      createdAt: now,
      updatedAt: now,
    } satisfies WebhookEntity);
    await this.uow.run(async (tx) => {
      await this.webhooks.insert(tx, scope, webhook);
      await this.changes.record(tx, {
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: WebhookAuditActions.created,
          target: { type: 'webhook', id },
          client,
          details: { name: webhook.name, workspaceId: webhook.workspaceId, vertical: webhook.vertical },
        },
      });
    });
    return { ...this.view(webhook), secret };
  }

  async list(principal: Principal, query: ListWebhooksQuery): Promise<Page<WebhookView>> {
    return pageOf(await this.webhooks.list(tenantScopeOf(principal), query), (w) => this.view(w));
  }

  async get(principal: Principal, id: string): Promise<WebhookView> {
    return this.view(await this.webhooks.get(tenantScopeOf(principal), id));
  }

  async update(
    principal: Principal,
    id: string,
    dto: UpdateWebhookDto,
    client: ClientInfo,
  ): Promise<WebhookView> {
    const scope = tenantScopeOf(principal);
    checkMapping(dto.fieldMapping);
    const rate = rateOf(dto);
    return this.uow.run(async (tx) => {
      const current = await this.webhooks.get(scope, id, tx);
      if (current.status === 'archived') throw WebhookError.of(WebhookErrorCode.Archived, { id });
      const wanted: Partial<WebhookEntity> = {
        name: dto.name?.trim(),
        description: dto.description,
        status: dto.status,
        fieldMapping: dto.fieldMapping,
        dedupWindowHours: dto.dedupWindowHours,
        dedupMatch: dto.dedupMatch,
        dedupScope: dto.dedupScope,
        rateLimit: rate.rateLimit,
        rateWindowSeconds: rate.rateWindowSeconds,
        requireSignature: dto.requireSignature,
        requireConsent: dto.requireConsent,
      };
      const patch: Partial<WebhookEntity> = {};
      for (const [key, value] of Object.entries(wanted) as [keyof WebhookEntity, unknown][]) {
        if (value !== undefined && JSON.stringify(value) !== JSON.stringify(current[key])) {
          (patch as Record<string, unknown>)[key] = value;
        }
      }
      if (Object.keys(patch).length === 0) return this.view(current);
      const updated = Object.assign(new WebhookEntity(), current, patch, { updatedAt: nowMs() });
      await this.webhooks.update(tx, scope, id, { ...patch, updatedAt: updated.updatedAt });
      await this.changes.record(tx, {
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: WebhookAuditActions.updated,
          target: { type: 'webhook', id },
          client,
          details: {
            changed: Object.keys(patch),
            ...(patch.status ? { status: { from: current.status, to: patch.status } } : {}),
          },
        },
      });
      return this.view(updated);
    });
  }

  /** A new secret; the old one keeps working for `graceHours` so vendors can switch without loss. */
  async rotateSecret(
    principal: Principal,
    id: string,
    graceHours: number | undefined,
    client: ClientInfo,
  ): Promise<{ secret: string; previousSecretValidUntil: string | null }> {
    const scope = tenantScopeOf(principal);
    const grace = graceHours ?? this.env.WEBHOOK_SECRET_GRACE_HOURS;
    const secret = generateWebhookSecret();
    return this.uow.run(async (tx) => {
      const current = await this.webhooks.get(scope, id, tx);
      if (current.status === 'archived') throw WebhookError.of(WebhookErrorCode.Archived, { id });
      const now = nowMs();
      const expiresAt = grace > 0 ? new Date(now.getTime() + grace * 3600_000) : null;
      await this.webhooks.update(tx, scope, id, {
        secretSealed: this.secrets.seal(id, secret),
        previousSecretSealed: expiresAt ? current.secretSealed : null,
        previousSecretExpiresAt: expiresAt,
        updatedAt: now,
      });
      await this.changes.record(tx, {
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: WebhookAuditActions.secretRotated,
          target: { type: 'webhook', id },
          client,
          details: { graceHours: grace },
        },
      });
      return { secret, previousSecretValidUntil: expiresAt?.toISOString() ?? null };
    });
  }

  /** Archives a webhook: vendors get 410, its leads and history stay. */
  async archive(principal: Principal, id: string, client: ClientInfo): Promise<void> {
    const scope = tenantScopeOf(principal);
    await this.uow.run(async (tx) => {
      const current = await this.webhooks.get(scope, id, tx);
      if (current.status === 'archived') return;
      await this.webhooks.update(tx, scope, id, { status: 'archived', updatedAt: nowMs() });
      await this.changes.record(tx, {
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: WebhookAuditActions.archived,
          target: { type: 'webhook', id },
          client,
        },
      });
    });
  }

  async requests(
    principal: Principal,
    id: string,
    query: ListIntakeRequestsQuery,
  ): Promise<Page<IntakeRequestView>> {
    const scope = tenantScopeOf(principal);
    const from = instantOf('from', query.from);
    const to = instantOf('to', query.to);
    if (from && to && !(from < to)) {
      throw WebhookError.of(WebhookErrorCode.InvalidPeriod, {
        field: 'from',
        rule: 'range',
        message: 'from must be before to',
      });
    }
    await this.webhooks.get(scope, id);
    return pageOf(await this.webhooks.listRequests(scope, id, { ...query, from, to }), toIntakeRequestView);
  }

  /** One logged post of the webhook with its raw body (404 when either is not the caller's). */
  async request(principal: Principal, id: string, requestId: string): Promise<IntakeRequestDetailView> {
    return toIntakeRequestDetailView(await this.webhooks.getRequest(tenantScopeOf(principal), id, requestId));
  }

  private view(webhook: WebhookEntity): WebhookView {
    return toWebhookView(webhook, this.env.PUBLIC_BASE_URL);
  }
}
