/**
 * Who may do what: organization roles, API-key scopes, and the claims of LeadFlow access tokens.
 * identity issues tokens with these claims; every service verifies them (libs/platform/auth).
 */
export const Roles = ['owner', 'admin', 'manager', 'agent'] as const;
export type Role = (typeof Roles)[number];

/** Higher rank includes the rights of every lower one. */
export const roleRank: Record<Role, number> = { agent: 1, manager: 2, admin: 3, owner: 4 };

export const Scopes = [
  'leads:read',
  'leads:write',
  'contacts:read',
  'contacts:write',
  'webhooks:manage',
  'providers:manage',
  'imports:write',
  'campaigns:read',
  'campaigns:manage',
  'calls:read',
  'calls:manage',
  'routing:read',
  'routing:manage',
  'conversions:write',
  'analytics:read',
  'workspaces:read',
  'workspaces:manage',
  'members:read',
  'members:manage',
  'api-keys:manage',
  'audit:read',
  'organization:manage',
] as const;
export type Scope = (typeof Scopes)[number];

const readScopes: Scope[] = [
  'leads:read',
  'contacts:read',
  'campaigns:read',
  'calls:read',
  'routing:read',
  'analytics:read',
  'workspaces:read',
  'members:read',
];

/** What a person with a role may do (API keys carry their scopes explicitly instead). */
export const roleScopes: Record<Role, readonly Scope[]> = {
  agent: [...readScopes, 'leads:write', 'contacts:write', 'calls:manage'],
  manager: [
    ...readScopes,
    'leads:write',
    'contacts:write',
    'calls:manage',
    'webhooks:manage',
    'providers:manage',
    'imports:write',
    'campaigns:manage',
    'routing:manage',
    'conversions:write',
  ],
  admin: Scopes.filter((s) => s !== 'organization:manage'),
  owner: [...Scopes],
};

export type PrincipalKind = 'user' | 'api_key';

/** The claims of an access token (RS256, header `kid`). */
export interface AccessTokenClaims {
  iss: string;
  aud: string | string[];
  /** User id, or API key id when `typ` is `api_key`. */
  sub: string;
  /** Organization (tenant) id. */
  org: string;
  typ: PrincipalKind;
  role: Role;
  /** Workspaces the principal is limited to; absent: every workspace of the organization. */
  ws?: string[];
  /** Granted scopes (for users: their role's scopes). */
  scp: Scope[];
  /** Session id (users) — lets logout and password changes end it. */
  sid?: string;
  jti: string;
  iat: number;
  nbf?: number;
  exp: number;
}

/** Longest lifetime of an access token, in seconds. */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
