import { MailTokens } from '@leadflow/platform/secrets';
import type { Page } from '@leadflow/contracts';
import { InvitationCreated, UserCreated, UserUpdated } from '@leadflow/contracts';
import type { AuditRecord, ClientInfo } from '@leadflow/platform/audit';
import { ChangeRecorder, actorOf } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { tenantScopeOf } from '@leadflow/platform/auth';
import { DomainError, NotFoundError } from '@leadflow/platform/errors';
import { UnitOfWork, nowMs, pageOf } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AuditActions } from '../audit/audit-actions';
import { AuthError, AuthErrorCode } from '../auth/auth.errors';
import type { TokenPair } from '../auth/dto/auth.dto';
import { assertPasswordPolicy, hashPassword, verifyPassword } from '../auth/passwords';
import type { SignIn } from '../auth/session.issuer';
import { SessionIssuer } from '../auth/session.issuer';
import { expiresAfter, hashSingleUseToken, newSingleUseToken } from '../common/single-use-token';
import { IdentityEnv } from '../config/env.schema';
import { grantRefusal } from '../members/membership-grant';
import { MembershipEntity } from '../users/membership.entity';
import { UserEntity } from '../users/user.entity';
import { userPayload } from '../users/user.view';
import { UsersRepository } from '../users/users.repository';
import { WorkspacesRepository } from '../workspaces/workspaces.repository';
import type {
  AcceptInvitationDto,
  CreateInvitationDto,
  InvitationView,
  ListInvitationsQuery,
} from './dto/invitation.dto';
import { toInvitationView } from './dto/invitation.dto';
import { InvitationEntity } from './invitation.entity';
import { invitationStatus } from './invitation.state';
import { InvitationError, InvitationErrorCode } from './invitations.errors';
import { InvitationsRepository } from './invitations.repository';

/** Inviting people into an organization, and accepting (or revoking) those invitations. */
@Injectable()
export class InvitationsService {
  constructor(
    private readonly invitations: InvitationsRepository,
    private readonly users: UsersRepository,
    private readonly workspaces: WorkspacesRepository,
    private readonly issuer: SessionIssuer,
    private readonly uow: UnitOfWork,
    private readonly changes: ChangeRecorder,
    private readonly env: IdentityEnv,
    private readonly mailTokens: MailTokens,
  ) {}

  /**
   * Invites an e-mail address with a role, within the grant rule (membership-grant.ts): only owners
   * grant the owner role; nobody grants a role above their own or workspaces they do not hold. A new invitation replaces the e-mail's
   * pending ones. The plain token leaves only in the InvitationCreated event (campaigns mails it).
   */
  async invite(principal: Principal, dto: CreateInvitationDto, client: ClientInfo): Promise<InvitationView> {
    const scope = tenantScopeOf(principal);
    const email = dto.email.trim().toLowerCase();
    const workspaceIds = dto.workspaceIds ? [...new Set(dto.workspaceIds)] : null;
    const refusal = grantRefusal(principal, null, { role: dto.role, workspaceIds });
    if (refusal) throw refusal;
    if (workspaceIds) {
      const found = new Set(await this.workspaces.existing(scope, workspaceIds));
      const unknown = workspaceIds.find((id) => !found.has(id));
      if (unknown) throw new NotFoundError('workspace', unknown);
    }
    const existing = await this.users.findByEmail(email);
    if (existing && (await this.users.membership(principal.organizationId, existing.id))) {
      throw InvitationError.of(InvitationErrorCode.AlreadyMember);
    }
    const now = nowMs();
    const { token, hash } = newSingleUseToken();
    const invitation = Object.assign(new InvitationEntity(), {
      id: uuidv7(),
      organizationId: principal.organizationId,
      email,
      role: dto.role,
      workspaceIds,
      tokenHash: hash,
      invitedBy: `${principal.kind}:${principal.id}`,
      createdAt: now,
      expiresAt: expiresAfter(now, this.env.INVITATION_TTL_HOURS * 3_600_000),
      acceptedAt: null,
      acceptedBy: null,
      revokedAt: null,
    } satisfies InvitationEntity);
    await this.uow.run(async (manager) => {
      await this.invitations.revokePendingFor(manager, scope, email, now);
      await this.invitations.insert(manager, scope, invitation);
      await this.changes.record(manager, {
        events: [
          {
            contract: InvitationCreated,
            aggregateId: invitation.id,
            organizationId: invitation.organizationId,
            payload: {
              invitationId: invitation.id,
              email,
              role: invitation.role,
              sealedToken: this.mailTokens.seal('invitation', invitation.id, token),
              expiresAt: invitation.expiresAt.toISOString(),
            },
          },
        ],
        audit: {
          organizationId: invitation.organizationId,
          actor: actorOf(principal),
          action: AuditActions.invitationCreated,
          target: { type: 'invitation', id: invitation.id },
          workspaceIds: invitation.workspaceIds,
          client,
          details: { email, role: invitation.role, workspaceIds },
        },
      });
    });
    return toInvitationView(invitation, now);
  }

  async list(principal: Principal, query: ListInvitationsQuery): Promise<Page<InvitationView>> {
    const now = nowMs();
    const page = await this.invitations.list(tenantScopeOf(principal), query, now);
    return pageOf(page, (r) => toInvitationView(r, now));
  }

  /** Revokes a pending invitation (already revoked or expired: nothing to do; accepted: 409). */
  async revoke(principal: Principal, id: string, client: ClientInfo): Promise<void> {
    const scope = tenantScopeOf(principal);
    await this.uow.run(async (manager) => {
      const invitation = await this.invitations.lock(manager, scope, id);
      const now = nowMs();
      const status = invitationStatus(invitation, now);
      if (status === 'accepted') throw InvitationError.of(InvitationErrorCode.InvitationUsed);
      if (status !== 'pending') return;
      await this.invitations.update(manager, scope, id, { revokedAt: now });
      await this.changes.record(manager, {
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: AuditActions.invitationRevoked,
          target: { type: 'invitation', id },
          workspaceIds: invitation.workspaceIds,
          client,
        },
      });
    });
  }

  /**
   * Accepts an invitation (its token is the credential). A new e-mail gets an account (name and a
   * password meeting the policy required); an existing account proves itself with its current
   * password. Either way the membership is created and a session in that organization is opened.
   */
  async accept(dto: AcceptInvitationDto, client: ClientInfo): Promise<TokenPair> {
    const tokenHash = hashSingleUseToken(dto.token);
    const signIn = await this.uow
      .run(async (manager): Promise<SignIn> => {
        const invitation = await this.invitations.lockByTokenHash(manager, tokenHash);
        if (!invitation) throw InvitationError.of(InvitationErrorCode.InvitationNotFound);
        const now = nowMs();
        switch (invitationStatus(invitation, now)) {
          case 'accepted':
            throw InvitationError.of(InvitationErrorCode.InvitationUsed);
          case 'revoked':
            throw InvitationError.of(InvitationErrorCode.InvitationRevoked);
          case 'expired':
            throw InvitationError.of(InvitationErrorCode.InvitationExpired);
          case 'pending':
            break;
        }
        const existing = await this.users.findByEmail(invitation.email, manager);
        const user = existing
          ? await this.verifiedUser(existing, dto, invitation)
          : await this.newUser(dto, invitation, now);
        if (!existing) await this.users.insertUser(manager, user);
        const membership = Object.assign(new MembershipEntity(), {
          id: uuidv7(),
          organizationId: invitation.organizationId,
          userId: user.id,
          role: invitation.role,
          workspaceIds: invitation.workspaceIds,
          createdAt: now,
          updatedAt: now,
        } satisfies MembershipEntity);
        await this.users.insertMembership(manager, membership);
        await this.invitations.update(manager, { organizationId: invitation.organizationId }, invitation.id, {
          acceptedAt: now,
          acceptedBy: user.id,
        });
        const opened = await this.issuer.open(manager, user.id, membership, client);
        await this.users.touchLastLogin(manager, user.id, now);
        await this.changes.record(manager, {
          events: [
            {
              contract: existing ? UserUpdated : UserCreated,
              aggregateId: user.id,
              organizationId: membership.organizationId,
              payload: userPayload(user, membership),
            },
          ],
          audit: acceptedAudit(invitation, user, existing !== null, client),
        });
        return opened;
      })
      .catch((error: unknown) => {
        const constraint = (error as { constraint?: string }).constraint;
        if (constraint === 'users_email_key') throw AuthError.of(AuthErrorCode.EmailTaken);
        if (constraint === 'memberships_org_user_key')
          throw InvitationError.of(InvitationErrorCode.AlreadyMember);
        throw error;
      });
    return this.issuer.pair(signIn);
  }

  private async verifiedUser(
    user: UserEntity,
    dto: AcceptInvitationDto,
    invitation: InvitationEntity,
  ): Promise<UserEntity> {
    if (!dto.password) throw missingField('password', 'the current password of the existing account');
    if (!(await verifyPassword(user.passwordHash, dto.password)) || !user.active) {
      throw AuthError.of(AuthErrorCode.InvalidCredentials);
    }
    if (await this.users.membership(invitation.organizationId, user.id))
      throw InvitationError.of(InvitationErrorCode.AlreadyMember);
    return user;
  }

  private async newUser(
    dto: AcceptInvitationDto,
    invitation: InvitationEntity,
    now: Date,
  ): Promise<UserEntity> {
    const name = dto.name?.trim();
    if (!name) throw missingField('name', 'a name for the new account');
    if (dto.password === undefined) throw missingField('password', 'a password for the new account');
    assertPasswordPolicy(dto.password, invitation.email);
    return Object.assign(new UserEntity(), {
      id: uuidv7(),
      email: invitation.email,
      name,
      passwordHash: await hashPassword(dto.password),
      active: true,
      lastLoginAt: now,
      createdAt: now,
      updatedAt: now,
    } satisfies UserEntity);
  }
}

/** The audit entry of an accepted invitation. */
function acceptedAudit(
  invitation: InvitationEntity,
  user: UserEntity,
  existingUser: boolean,
  client: ClientInfo,
): AuditRecord {
  return {
    organizationId: invitation.organizationId,
    actor: { type: 'user', id: user.id },
    action: AuditActions.invitationAccepted,
    target: { type: 'invitation', id: invitation.id },
    workspaceIds: invitation.workspaceIds,
    client,
    details: { role: invitation.role, workspaceIds: invitation.workspaceIds, existingUser },
  };
}

function missingField(field: string, what: string): DomainError {
  return new DomainError('validation', 'validation_failed', `${field} is required: ${what}`, {
    fieldErrors: [{ field, rule: 'isNotEmpty', message: `${field} is required (${what})` }],
  });
}
