import { DomainError } from '@leadflow/platform/errors';

export enum ApiKeyErrorCode {
  InvalidApiKey = 'invalid_api_key',
  ScopeNotHeld = 'scope_not_held',
  WorkspaceRequired = 'workspace_required',
}

export class InvalidApiKeyError extends DomainError {
  constructor() {
    super('unauthorized', ApiKeyErrorCode.InvalidApiKey, 'The API key is not valid', {
      headers: { 'WWW-Authenticate': 'ApiKey realm="leadflow"' },
    });
  }
}

/** A key cannot grant more than its creator holds. */
export class ScopeNotHeldError extends DomainError {
  constructor(scopes: string[]) {
    super(
      'forbidden',
      ApiKeyErrorCode.ScopeNotHeld,
      `You cannot grant scopes you do not hold: ${scopes.join(', ')}`,
      {
        details: { scopes },
      },
    );
  }
}

export class WorkspaceRequiredError extends DomainError {
  constructor() {
    super(
      'forbidden',
      ApiKeyErrorCode.WorkspaceRequired,
      'You are limited to some workspaces, so your API keys must name one of them',
    );
  }
}
