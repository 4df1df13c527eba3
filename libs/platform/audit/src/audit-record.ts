import type { Principal } from '@leadflow/platform/auth';
import type { ClientInfo } from './client-info';

/**
 * Who did it: a user or API key (from the access token), a platform operator, an anonymous caller
 * (failed sign-in), a lead provider (vendor key), or the service itself (a consumer, a job).
 */
export type AuditActorType = 'user' | 'api_key' | 'operator' | 'anonymous' | 'provider' | 'system';

export const AuditActorTypes: readonly AuditActorType[] = [
  'user',
  'api_key',
  'operator',
  'anonymous',
  'provider',
  'system',
];

/** One action to audit; each service names its actions in its own constant (e.g. `auth.login_failed`). */
export interface AuditRecord {
  /** null only for platform-level actions (signing-key rotation). */
  organizationId: string | null;
  actor: { type: AuditActorType; id: string | null };
  action: string;
  target?: { type: string; id: string };
  /**
   * The workspaces the action concerns (a workspace, a key or member limited to some); absent or
   * null: the organization as a whole. Members limited to some workspaces read only the entries
   * that concern one of theirs.
   */
  workspaceIds?: readonly string[] | null;
  client?: ClientInfo;
  details?: Record<string, unknown>;
}

/**
 * The workspaces an action touching several memberships or scopes concerns: all of them when each
 * is limited to some workspaces, null (the organization) when any is organization-wide.
 */
export function concernedWorkspaces(...scopes: (readonly string[] | null | undefined)[]): string[] | null {
  if (scopes.some((s) => !s)) return null;
  return [...new Set(scopes.flatMap((s) => s ?? []))];
}

/** The actor of an authenticated request. */
export function actorOf(principal: Principal): AuditRecord['actor'] {
  return { type: principal.kind, id: principal.id };
}
