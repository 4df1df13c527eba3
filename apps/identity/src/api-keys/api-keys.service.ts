import type { Page, Scope } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { ChangeRecorder, actorOf } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { tenantScopeOf } from '@leadflow/platform/auth';
import { DomainError } from '@leadflow/platform/errors';
import { UnitOfWork, nowMs, pageOf } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AuditActions } from '../audit/audit-actions';
import { AccessTokenIssuer } from '../auth/access-token.issuer';
import { WorkspacesRepository } from '../workspaces/workspaces.repository';
import { ApiKeyEntity } from './api-key.entity';
import { apiKeyMatches, hashApiKey, newApiKey, parseApiKey } from './api-key.format';
import { ApiKeyError, ApiKeyErrorCode } from './api-keys.errors';
import { ApiKeysRepository } from './api-keys.repository';
import type { ApiKeyView, CreateApiKeyDto, CreatedApiKey } from './dto/api-key.dto';
import { toApiKeyView } from './dto/api-key.dto';

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly workspaces: WorkspacesRepository,
    private readonly uow: UnitOfWork,
    private readonly changes: ChangeRecorder,
    private readonly tokens: AccessTokenIssuer,
  ) {}

  async create(principal: Principal, dto: CreateApiKeyDto, client: ClientInfo): Promise<CreatedApiKey> {
    const scopes = [...new Set(dto.scopes)];
    const missing = scopes.filter((s) => !principal.scopes.includes(s));
    if (missing.length > 0) throw ApiKeyError.of(ApiKeyErrorCode.ScopeNotHeld, { scopes: missing });
    const scope = tenantScopeOf(principal);
    if (dto.workspaceId !== undefined) await this.workspaces.get(scope, dto.workspaceId);
    else if (principal.workspaceIds) throw ApiKeyError.of(ApiKeyErrorCode.WorkspaceRequired);
    const now = nowMs();
    const expiresAt = dto.expiresAt === undefined ? null : new Date(dto.expiresAt);
    if (expiresAt && expiresAt.getTime() <= now.getTime()) {
      throw new DomainError('validation', 'validation_failed', 'expiresAt must be in the future', {
        fieldErrors: [{ field: 'expiresAt', rule: 'isFuture', message: 'expiresAt must be in the future' }],
      });
    }
    const { key, prefix } = newApiKey();
    const entity = Object.assign(new ApiKeyEntity(), {
      id: uuidv7(),
      organizationId: principal.organizationId,
      workspaceId: dto.workspaceId ?? null,
      name: dto.name.trim(),
      prefix,
      keyHash: hashApiKey(key),
      scopes,
      createdBy: principal.id,
      expiresAt,
      lastUsedAt: null,
      revokedAt: null,
      createdAt: now,
    } satisfies ApiKeyEntity);
    await this.uow.run(async (manager) => {
      await this.keys.insert(manager, scope, entity);
      await this.changes.record(manager, {
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: AuditActions.apiKeyCreated,
          target: { type: 'api_key', id: entity.id },
          workspaceIds: entity.workspaceId ? [entity.workspaceId] : null,
          client,
          details: { name: entity.name, prefix, scopes, workspaceId: entity.workspaceId },
        },
      });
    });
    const { lastUsedAt: _l, revokedAt: _r, ...view } = toApiKeyView(entity);
    return { ...view, key };
  }

  async list(principal: Principal, query: { limit: number; cursor?: string }): Promise<Page<ApiKeyView>> {
    return pageOf(await this.keys.list(tenantScopeOf(principal), query), toApiKeyView);
  }

  async revoke(principal: Principal, id: string, client: ClientInfo): Promise<void> {
    const scope = tenantScopeOf(principal);
    await this.uow.run(async (manager) => {
      const key = await this.keys.get(scope, id, manager);
      if (key.revokedAt) return;
      await this.keys.revoke(manager, scope, id, new Date());
      await this.changes.record(manager, {
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: AuditActions.apiKeyRevoked,
          target: { type: 'api_key', id },
          workspaceIds: key.workspaceId ? [key.workspaceId] : null,
          client,
          details: { prefix: key.prefix },
        },
      });
    });
  }

  /** The gateway trades a key for a short-lived access token carrying the key's scopes. */
  async exchange(
    presented: string | undefined,
  ): Promise<{ accessToken: string; expiresIn: number; tokenType: 'Bearer' }> {
    const parsed = presented ? parseApiKey(presented.trim()) : undefined;
    if (!presented || !parsed) throw ApiKeyError.of(ApiKeyErrorCode.InvalidApiKey);
    const key = await this.keys.findByPrefix(parsed.prefix);
    if (!key || !apiKeyMatches(presented.trim(), key.keyHash))
      throw ApiKeyError.of(ApiKeyErrorCode.InvalidApiKey);
    if (key.revokedAt || (key.expiresAt && key.expiresAt.getTime() <= Date.now()))
      throw ApiKeyError.of(ApiKeyErrorCode.InvalidApiKey);
    await this.keys.touchLastUsed(key.id);
    const token = await this.tokens.forApiKey({
      keyId: key.id,
      organizationId: key.organizationId,
      scopes: key.scopes as Scope[],
      workspaceId: key.workspaceId,
    });
    return { ...token, tokenType: 'Bearer' };
  }
}
