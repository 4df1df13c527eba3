import type { Role } from '@leadflow/contracts';
import { signUp, strongPassword, uniqueEmail } from '@leadflow/platform/testing';
import type { ApiClient, SignedUp } from '@leadflow/platform/testing';
import type { Client } from 'pg';

/** A person signed in to an organization: tokens, user, and the organization's first workspace. */
export type Member = SignedUp;

export interface MemberOptions {
  /** Workspaces the membership is limited to (default: none, organization-wide). */
  workspaceIds?: string[] | null;
  /** E-mail domain of the new account (default `example.com`). */
  emailDomain?: string;
  /** Sign in again after the move so the tokens carry the new role (default true). */
  signIn?: boolean;
}

/**
 * Moves a freshly signed-up account into `org` with `role` (a direct membership update, as the
 * specs did, so it costs no invitation round trip) and signs it in there.
 */
export async function addMember(
  client: ApiClient,
  db: Client,
  org: SignedUp,
  name: string,
  role: Role,
  options: MemberOptions = {},
): Promise<Member> {
  const who = await signUp(client, name, { email: uniqueEmail(name, options.emailDomain) });
  await moveInto(db, org, who, role, options.workspaceIds ?? null);
  if (options.signIn === false) return { ...who, organization: org.organization, workspace: org.workspace };
  const login = await client.call<{ accessToken: string; refreshToken: string }>(
    'POST',
    '/api/v1/auth/login',
    {
      body: { email: who.user.email, password: strongPassword },
    },
  );
  if (login.status !== 200) throw new Error(`login of ${name}: ${login.status} ${login.text}`);
  return { ...who, ...login.body, organization: org.organization, workspace: org.workspace };
}

/** Rewrites `who`'s membership into `org` with `role`, limited to `workspaceIds` (null: all). */
export async function moveInto(
  db: Client,
  org: SignedUp,
  who: SignedUp,
  role: Role,
  workspaceIds: string[] | null,
): Promise<void> {
  await db.query(
    `UPDATE identity.memberships SET organization_id = $1, role = $2, workspace_ids = $3 WHERE user_id = $4`,
    [org.organization.id, role, workspaceIds, who.user.id],
  );
}

/** A signed-up organization with one member of each role and one member limited to the first workspace. */
export interface SignedUpOrganization {
  owner: Member;
  admin: Member;
  manager: Member;
  agent: Member;
  /** An agent whose membership is limited to the owner's first workspace. */
  workspaceAgent: Member;
}

export async function signedUpOrganization(
  client: ApiClient,
  db: Client,
  name: string,
): Promise<SignedUpOrganization> {
  const owner = await signUp(client, name);
  return {
    owner,
    admin: await addMember(client, db, owner, `${name}-admin`, 'admin'),
    manager: await addMember(client, db, owner, `${name}-manager`, 'manager'),
    agent: await addMember(client, db, owner, `${name}-agent`, 'agent'),
    workspaceAgent: await addMember(client, db, owner, `${name}-ws-agent`, 'agent', {
      workspaceIds: [owner.workspace.id],
    }),
  };
}
