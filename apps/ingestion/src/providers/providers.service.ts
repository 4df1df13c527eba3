import type { Page } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { AuditLog, actorOf } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { tenantScopeOf } from '@leadflow/platform/auth';
import type { TenantScope } from '@leadflow/platform/persistence';
import { toPage } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { nowMs } from '../common/time';
import { UnitOfWork } from '../common/unit-of-work';
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
import { InvalidUsageRangeError, UnknownWebhooksError } from './providers.errors';
import { ProvidersRepository } from './providers.repository';

export const ProviderAuditActions = {
  created: 'provider.created',
  updated: 'provider.updated',
  keyRotated: 'provider.key_rotated',
} as const;

export function toProviderView(p: ProviderEntity): ProviderView {
  return {
    id: p.id,
    name: p.name,
    companyName: p.companyName,
    contactName: p.contactName,
    contactEmail: p.contactEmail,
    contactPhone: p.contactPhone,
    notes: p.notes,
    keyHint: p.keyHint,
    allowedWebhookIds: p.allowedWebhookIds,
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
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
  ) {}

  async create(
    principal: Principal,
    dto: CreateProviderDto,
    client: ClientInfo,
  ): Promise<CreatedProviderView> {
    const scope = tenantScopeOf(principal);
    await this.checkWebhooks(scope, dto.allowedWebhookIds);
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
      allowedWebhookIds: dto.allowedWebhookIds ?? [],
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
      await this.audit.record(tx, {
        organizationId: principal.organizationId,
        actor: actorOf(principal),
        action: ProviderAuditActions.created,
        target: { type: 'provider', id: provider.id },
        client,
        details: { name: provider.name, allowedWebhookIds: provider.allowedWebhookIds },
      });
    });
    return { ...toProviderView(provider), apiKey };
  }

  async list(principal: Principal, query: ListProvidersQuery): Promise<Page<ProviderView>> {
    const rows = await this.providers.list(tenantScopeOf(principal), query);
    const page = toPage(rows, query.limit, (p) => ({ createdAt: p.createdAt.toISOString(), id: p.id }));
    return { items: page.items.map(toProviderView), nextCursor: page.nextCursor };
  }

  async get(principal: Principal, id: string): Promise<ProviderView> {
    return toProviderView(await this.providers.get(tenantScopeOf(principal), id));
  }

  async update(
    principal: Principal,
    id: string,
    dto: UpdateProviderDto,
    client: ClientInfo,
  ): Promise<ProviderView> {
    const scope = tenantScopeOf(principal);
    await this.checkWebhooks(scope, dto.allowedWebhookIds);
    return this.uow.run(async (tx) => {
      const current = await this.providers.get(scope, id, tx);
      const wanted: Partial<ProviderEntity> = {
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
      if (Object.keys(patch).length === 0) return toProviderView(current);
      const updated = Object.assign(new ProviderEntity(), current, patch, { updatedAt: nowMs() });
      await this.providers.update(tx, scope, id, { ...patch, updatedAt: updated.updatedAt });
      await this.audit.record(tx, {
        organizationId: principal.organizationId,
        actor: actorOf(principal),
        action: ProviderAuditActions.updated,
        target: { type: 'provider', id },
        client,
        details: { changed: Object.keys(patch) },
      });
      return toProviderView(updated);
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
      await this.audit.record(tx, {
        organizationId: principal.organizationId,
        actor: actorOf(principal),
        action: ProviderAuditActions.keyRotated,
        target: { type: 'provider', id },
        client,
      });
      return { ...toProviderView(Object.assign(new ProviderEntity(), current, patch)), apiKey };
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
      throw new InvalidUsageRangeError();
    return { items: await this.providers.usage(scope, id, from, to) };
  }

  private async checkWebhooks(scope: TenantScope, ids: string[] | undefined): Promise<void> {
    if (!ids || ids.length === 0) return;
    const found = new Set(await this.webhooks.existing(scope, ids));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) throw new UnknownWebhooksError(missing);
  }
}
