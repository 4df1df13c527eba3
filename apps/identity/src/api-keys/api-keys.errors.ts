import type { ErrorSpec } from '@leadflow/platform/errors';
import { defineErrors } from '@leadflow/platform/errors';

export enum ApiKeyErrorCode {
  InvalidApiKey = 'invalid_api_key',
  ScopeNotHeld = 'scope_not_held',
  WorkspaceRequired = 'workspace_required',
}

export const ApiKeyError = defineErrors('ApiKeyError', {
  [ApiKeyErrorCode.InvalidApiKey]: {
    kind: 'unauthorized',
    message: 'The API key is not valid',
    options: { headers: { 'WWW-Authenticate': 'ApiKey realm="leadflow"' } },
  },
  /** A key cannot grant more than its creator holds. */
  [ApiKeyErrorCode.ScopeNotHeld]: {
    kind: 'forbidden',
    message: ({ scopes }: { scopes: string[] }) =>
      `You cannot grant scopes you do not hold: ${scopes.join(', ')}`,
    options: ({ scopes }: { scopes: string[] }) => ({ details: { scopes } }),
  },
  [ApiKeyErrorCode.WorkspaceRequired]: {
    kind: 'forbidden',
    message: 'You are limited to some workspaces, so your API keys must name one of them',
  },
} satisfies Record<ApiKeyErrorCode, ErrorSpec>);
export type ApiKeyError = InstanceType<typeof ApiKeyError>;
