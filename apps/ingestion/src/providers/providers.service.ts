import type { Page } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { ChangeRecorder, actorOf } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { tenantScopeOf } from '@leadflow/platform/auth';
import { NotFoundError } from '@leadflow/platform/errors';
import type { TenantScope } from '@leadflow/platform/persistence';
import { UnitOfWork, nowMs, pageOf } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { DirectoryService } from '../directory/directory.service';
import { WebhooksRepository } from '../webhooks/webhooks.repository';
import type {
  CreateProviderDto,
  CreatedProviderView,
  ListProvidersQuery,
  ProviderUsageQuery,
  ProviderUsageRow,
  ProviderView,
  UpdateProviderDto,
} from './dto/provider.dto';
import { generateProviderKey, hashProviderKey, providerKeyHint } from './provider-key';
import { ProviderEntity } from './provider.entity';
import { ProviderError, ProviderErrorCode } from './providers.errors';
import { ProvidersRepository } from './providers.repository';

export const ProviderAuditActions = {
  created: 'provider.created',
  updated: 'provider.updated',
  keyRotated: 'provider.key_rotated',
} as const;

/**
 * The provider as a caller sees it; `heldWebhooks`, for a workspace-limited caller, the allowed
 * webhooks it holds (a webhook moved to another workspace is not shown).
 */
export function toProviderView(p: ProviderEntity, heldWebhooks?: ReadonlySet<string>): ProviderView {
  return {
    id: p.id,
    name: p.name,
    companyName: p.companyName,
    contactName: p.contactName,
    contactEmail: p.contactEmail,
    contactPhone: p.contactPhone,
    notes: p.notes,
    keyHint: p.keyHint,
    workspaceIds: p.workspaceIds,
    allowedWebhookIds: heldWebhooks
      ? p.allowedWebhookIds.filter((id) => heldWebhooks.has(id))
      : p.allowedWebhookIds,
    hourlyLimit: p.hourlyLimit,
    costPerLead: p.costPerLead,
    currency: p.currency,
    active: p.active,
    lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

/** Lead sources: who may post into which webhooks, how often, and at what cost per lead. */
@Injectable()
export class ProvidersService {
  constructor(
    private readonly providers: ProvidersRepository,
    private readonly webhooks: WebhooksRepository,
    private readonly directory: DirectoryService,
    private readonly uow: UnitOfWork,
    private readonly changes: ChangeRecorder,
  ) {}

  async create(
    principal: Principal,
    dto: CreateProviderDto,
    client: ClientInfo,
  ): Promise<CreatedProviderView> {
    const scope = tenantScopeOf(principal);
    // A workspace-limited member's provider serves that member's workspaces unless told fewer.
    const workspaceIds = await this.checkWorkspaces(
      scope,
      dto.workspaceIds === undefined
        ? scope.workspaceIds
          ? [...scope.workspaceIds]
          : null
        : dto.workspaceIds,
      null,
    );
    const allowedWebhookIds = dto.allowedWebhookIds ?? [];
    await this.checkWebhooks(scope, allowedWebhookIds, allowedWebhookIds, workspaceIds);
    const apiKey = generateProviderKey();
    const now = nowMs();
    const provider = Object.assign(new ProviderEntity(), {
      id: uuidv7(),
      organizationId: principal.organizationId,
      name: dto.name.trim(),
      companyName: dto.companyName ?? null,
      contactName: dto.contactName ?? null,
      contactEmail: dto.contactEmail?.toLowerCase() ?? null,
      contactPhone: dto.contactPhone ?? null,
      notes: dto.notes ?? null,
      keyHash: hashProviderKey(apiKey),
      keyHint: providerKeyHint(apiKey),
      workspaceIds,
      allowedWebhookIds,
      hourlyLimit: dto.hourlyLimit ?? 1000,
      costPerLead: dto.costPerLead ?? null,
      currency: dto.currency ?? 'USD',
      active: true,
      lastUsedAt: null,
      createdBy: principal.id,
      createdAt: now,
      updatedAt: now,
    } satisfies ProviderEntity);
    await this.uow.run(async (tx) => {
      await this.providers.insert(tx, scope, provider);
      await this.changes.record(tx, {
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: ProviderAuditActions.created,
          target: { type: 'provider', id: provider.id },
          client,
          details: {
            name: provider.name,
            workspaceIds: provider.workspaceIds,
            allowedWebhookIds: provider.allowedWebhookIds,
          },
        },
      });
    });
    return { ...toProviderView(provider), apiKey };
  }

  async list(principal: Principal, query: ListProvidersQuery): Promise<Page<ProviderView>> {
    const scope = tenantScopeOf(principal);
    const page = await this.providers.list(scope, query);
    const held = await this.heldWebhooks(scope, page.items);
    return pageOf(page, (p) => toProviderView(p, held));
  }

  async get(principal: Principal, id: string): Promise<ProviderView> {
    const scope = tenantScopeOf(principal);
    const provider = await this.providers.get(scope, id);
    return toProviderView(provider, await this.heldWebhooks(scope, [provider]));
  }

  async update(
    principal: Principal,
    id: string,
    dto: UpdateProviderDto,
    client: ClientInfo,
  ): Promise<ProviderView> {
    const scope = tenantScopeOf(principal);
    return this.uow.run(async (tx) => {
      const current = await this.providers.get(scope, id, tx);
      const workspaceIds =
        dto.workspaceIds === undefined
          ? current.workspaceIds
          : await this.checkWorkspaces(scope, dto.workspaceIds, current.workspaceIds);
      if (dto.allowedWebhookIds !== undefined || dto.workspaceIds !== undefined) {
        const allowed = dto.allowedWebhookIds ?? current.allowedWebhookIds;
        await this.checkWebhooks(scope, dto.allowedWebhookIds ?? [], allowed, workspaceIds);
      }
      const wanted: Partial<ProviderEntity> = {
        workspaceIds: dto.workspaceIds === undefined ? undefined : workspaceIds,
        name: dto.name?.trim(),
        companyName: dto.companyName,
        contactName: dto.contactName,
        contactEmail: dto.contactEmail?.toLowerCase(),
        contactPhone: dto.contactPhone,
        notes: dto.notes,
        allowedWebhookIds: dto.allowedWebhookIds,
        hourlyLimit: dto.hourlyLimit,
        costPerLead: dto.costPerLead,
        currency: dto.currency,
        active: dto.active,
      };
      const patch: Partial<ProviderEntity> = {};
      for (const [key, value] of Object.entries(wanted) as [keyof ProviderEntity, unknown][]) {
        if (value !== undefined && JSON.stringify(value) !== JSON.stringify(current[key])) {
          (patch as Record<string, unknown>)[key] = value;
        }
      }
      const held = await this.heldWebhooks(scope, [current]);
      if (Object.keys(patch).length === 0) return toProviderView(current, held);
      const updated = Object.assign(new ProviderEntity(), current, patch, { updatedAt: nowMs() });
      await this.providers.update(tx, scope, id, { ...patch, updatedAt: updated.updatedAt });
      await this.changes.record(tx, {
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: ProviderAuditActions.updated,
          target: { type: 'provider', id },
          client,
          details: { changed: Object.keys(patch) },
        },
      });
      return toProviderView(updated, await this.heldWebhooks(scope, [updated]));
    });
  }

  /** A new key; the old one stops working at once. */
  async rotateKey(principal: Principal, id: string, client: ClientInfo): Promise<CreatedProviderView> {
    const scope = tenantScopeOf(principal);
    const apiKey = generateProviderKey();
    return this.uow.run(async (tx) => {
      const current = await this.providers.get(scope, id, tx);
      const patch = {
        keyHash: hashProviderKey(apiKey),
        keyHint: providerKeyHint(apiKey),
        updatedAt: nowMs(),
      };
      await this.providers.update(tx, scope, id, patch);
      await this.changes.record(tx, {
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: ProviderAuditActions.keyRotated,
          target: { type: 'provider', id },
          client,
        },
      });
      const rotated = Object.assign(new ProviderEntity(), current, patch);
      return { ...toProviderView(rotated, await this.heldWebhooks(scope, [rotated])), apiKey };
    });
  }

  async usage(
    principal: Principal,
    id: string,
    query: ProviderUsageQuery,
  ): Promise<{ items: ProviderUsageRow[] }> {
    const scope = tenantScopeOf(principal);
    await this.providers.get(scope, id);
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 24 * 3600_000);
    if (!(from < to) || to.getTime() - from.getTime() > 31 * 24 * 3600_000)
      throw ProviderError.of(ProviderErrorCode.InvalidUsageRange);
    return { items: await this.providers.usage(scope, id, from, to) };
  }

  /**
   * The workspaces a provider is to serve, checked against what the caller holds: a limited caller
   * may name only its own workspaces (another is not found, as it would be anywhere else) and may
   * not make a provider organization-wide. Newly named workspaces must be active workspaces of the
   * organization.
   */
  private async checkWorkspaces(
    scope: TenantScope,
    wanted: string[] | null,
    current: string[] | null,
  ): Promise<string[] | null> {
    if (wanted === null) {
      if (scope.workspaceIds !== undefined)
        throw ProviderError.of(ProviderErrorCode.OrganizationWideProvider);
      return null;
    }
    for (const id of wanted) {
      if (scope.workspaceIds && !scope.workspaceIds.includes(id)) throw new NotFoundError('workspace', id);
    }
    for (const id of wanted) {
      if (!current?.includes(id))
        await this.directory.requireWorkspace(scope.organizationId, id, 'workspaceIds');
    }
    return wanted;
  }

  /**
   * `named` (what the request lists) must be webhooks the caller holds; `allowed` (what the provider
   * will have) must lie within the provider's workspaces.
   */
  private async checkWebhooks(
    scope: TenantScope,
    named: readonly string[],
    allowed: readonly string[],
    workspaceIds: readonly string[] | null,
  ): Promise<void> {
    const ids = [...new Set([...named, ...allowed])];
    if (ids.length === 0) return;
    const held = new Map((await this.webhooks.held(scope, ids)).map((w) => [w.id, w.workspaceId]));
    const missing = named.filter((id) => !held.has(id));
    if (missing.length > 0) throw ProviderError.of(ProviderErrorCode.UnknownWebhooks, { ids: missing });
    if (workspaceIds === null) return;
    const outside = allowed.filter((id) => {
      const workspaceId = held.get(id);
      return workspaceId !== undefined && !workspaceIds.includes(workspaceId);
    });
    if (outside.length > 0)
      throw ProviderError.of(ProviderErrorCode.WebhooksOutsideWorkspaces, { ids: outside });
  }

  /** For a workspace-limited caller, which of these providers' allowed webhooks it holds. */
  private async heldWebhooks(
    scope: TenantScope,
    providers: readonly ProviderEntity[],
  ): Promise<ReadonlySet<string> | undefined> {
    if (scope.workspaceIds === undefined) return undefined;
    const ids = [...new Set(providers.flatMap((p) => p.allowedWebhookIds))];
    return new Set((await this.webhooks.held(scope, ids)).map((w) => w.id));
  }
}
