import type { Role, Scope } from '@leadflow/contracts';
import type { ErrorSpec } from '@leadflow/platform/errors';
import { defineErrors } from '@leadflow/platform/errors';

/** What the platform guard refuses before a route runs. */
export enum AccessErrorCode {
  InvalidToken = 'invalid_token',
  UserTokenRequired = 'user_token_required',
  InsufficientRole = 'insufficient_role',
  InsufficientScope = 'insufficient_scope',
  OperatorAccessDisabled = 'operator_access_disabled',
  InvalidOperatorToken = 'invalid_operator_token',
}

export const AccessError = defineErrors('AccessError', {
  [AccessErrorCode.InvalidToken]: {
    kind: 'unauthorized',
    message: 'A valid access token is required',
    options: { headers: { 'WWW-Authenticate': 'Bearer realm="leadflow", error="invalid_token"' } },
  },
  [AccessErrorCode.UserTokenRequired]: {
    kind: 'forbidden',
    message: 'This needs the access token of a signed-in user, not an API key',
  },
  [AccessErrorCode.InsufficientRole]: {
    kind: 'forbidden',
    message: ({ role }: { role: Role }) => `This needs the ${role} role or higher`,
  },
  [AccessErrorCode.InsufficientScope]: {
    kind: 'forbidden',
    message: ({ scopes }: { scopes: Scope[] }) => `This needs the scopes ${scopes.join(', ')}`,
  },
  [AccessErrorCode.OperatorAccessDisabled]: {
    kind: 'forbidden',
    message: 'OPERATOR_TOKEN is not set on this service',
  },
  [AccessErrorCode.InvalidOperatorToken]: {
    kind: 'unauthorized',
    message: 'A valid X-Operator-Token is required',
  },
} satisfies Record<AccessErrorCode, ErrorSpec>);
export type AccessError = InstanceType<typeof AccessError>;
