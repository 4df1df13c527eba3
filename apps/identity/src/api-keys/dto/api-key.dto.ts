import { IsOmittable } from '@leadflow/platform/errors';
import type { Scope } from '@leadflow/contracts';
import { Scopes } from '@leadflow/contracts';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsString,
  IsUUID,
  MaxLength,
} from 'class-validator';
import { PageQuery } from '@leadflow/platform/persistence';
import type { ApiKeyEntity } from '../api-key.entity';

export class CreateApiKeyDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(Scopes.length)
  @IsIn(Scopes, { each: true })
  scopes!: Scope[];

  @IsOmittable()
  @IsUUID('all')
  workspaceId?: string;

  @IsOmittable()
  @IsISO8601({ strict: true })
  expiresAt?: string;
}

export class ListApiKeysQuery extends PageQuery {}

export interface ApiKeyView {
  id: string;
  prefix: string;
  name: string;
  scopes: Scope[];
  workspaceId: string | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

export interface CreatedApiKey extends Omit<ApiKeyView, 'lastUsedAt' | 'revokedAt'> {
  /** The key itself: shown only in this answer. */
  key: string;
}

export function toApiKeyView(k: ApiKeyEntity): ApiKeyView {
  return {
    id: k.id,
    prefix: k.prefix,
    name: k.name,
    scopes: k.scopes,
    workspaceId: k.workspaceId,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
    createdAt: k.createdAt.toISOString(),
  };
}
