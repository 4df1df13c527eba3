import { OrganizationCreated, UserCreated, WorkspaceCreated } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { ChangeRecorder, actorOf } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { NotFoundError } from '@leadflow/platform/errors';
import { UnitOfWork, nowMs } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { AuditActions } from '../audit/audit-actions';
import { OrganizationEntity } from '../organizations/organization.entity';
import { organizationPayload, toOrganizationView } from '../organizations/organization.view';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { planQuotas, slugify } from '../organizations/plans';
import { MembershipEntity } from '../users/membership.entity';
import { UserEntity } from '../users/user.entity';
import { toUserView, userPayload } from '../users/user.view';
import { UsersRepository } from '../users/users.repository';
import { toWorkspaceView, workspacePayload } from '../workspaces/dto/workspace.dto';
import { WorkspaceEntity } from '../workspaces/workspace.entity';
import { WorkspacesRepository } from '../workspaces/workspaces.repository';
import { AuthError, AuthErrorCode } from './auth.errors';
import type {
  LoginDto,
  MeView,
  RefreshDto,
  RegisterDto,
  RegistrationResult,
  TokenPair,
} from './dto/auth.dto';
import { LoginAttemptEntity } from './login-attempt.entity';
import {
  LOGIN_WINDOW_MS,
  MAX_FAILURES_PER_ACCOUNT,
  MAX_FAILURES_PER_IP,
  retryAfterSeconds,
} from './login-throttle';
import { assertPasswordPolicy, hashPassword, verifyPassword } from './passwords';
import { decideRefresh, hashToken, newRefreshToken } from './refresh-rotation';
import type { SignIn } from './session.issuer';
import { SessionIssuer } from './session.issuer';
import { SessionsRepository } from './sessions.repository';

/** Registration, sign-in, refresh-token rotation, sign-out. */
@Injectable()
export class AuthService {
  /** Verified against for unknown e-mails, so they take as long as a wrong password. */
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly users: UsersRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly workspaces: WorkspacesRepository,
    private readonly sessions: SessionsRepository,
    private readonly changes: ChangeRecorder,
    private readonly issuer: SessionIssuer,
  ) {}

  async register(dto: RegisterDto, client: ClientInfo): Promise<RegistrationResult> {
    const email = dto.email.trim().toLowerCase();
    assertPasswordPolicy(dto.password, email);
    if (await this.users.findByEmail(email)) throw AuthError.of(AuthErrorCode.EmailTaken);
    const passwordHash = await hashPassword(dto.password);
    const now = nowMs();
    const organization = Object.assign(new OrganizationEntity(), {
      id: uuidv7(),
      name: dto.organizationName.trim(),
      slug: slugify(dto.organizationName, randomBytes(3).toString('hex')),
      plan: 'free',
      quotas: planQuotas.free,
      status: 'active',
      createdAt: now,
      updatedAt: now,
    } satisfies OrganizationEntity);
    const workspace = Object.assign(new WorkspaceEntity(), {
      id: uuidv7(),
      organizationId: organization.id,
      name: organization.name,
      kind: 'team',
      timezone: 'UTC',
      status: 'active',
      createdAt: now,
      updatedAt: now,
    } satisfies WorkspaceEntity);
    const user = Object.assign(new UserEntity(), {
      id: uuidv7(),
      email,
      name: dto.name.trim(),
      passwordHash,
      active: true,
      lastLoginAt: now,
      createdAt: now,
      updatedAt: now,
    } satisfies UserEntity);
    const membership = Object.assign(new MembershipEntity(), {
      id: uuidv7(),
      organizationId: organization.id,
      userId: user.id,
      role: 'owner',
      workspaceIds: null,
      createdAt: now,
      updatedAt: now,
    } satisfies MembershipEntity);
    const signIn = await this.uow
      .run(async (manager) => {
        await this.organizations.insert(manager, organization);
        await this.workspaces.insert(manager, { organizationId: organization.id }, workspace);
        await this.users.insertUser(manager, user);
        await this.users.insertMembership(manager, membership);
        const opened = await this.issuer.open(manager, user.id, membership, client);
        await this.changes.record(manager, {
          events: [
            {
              contract: OrganizationCreated,
              aggregateId: organization.id,
              organizationId: organization.id,
              payload: organizationPayload(organization),
            },
            {
              contract: WorkspaceCreated,
              aggregateId: workspace.id,
              organizationId: organization.id,
              workspaceId: workspace.id,
              payload: workspacePayload(workspace),
            },
            {
              contract: UserCreated,
              aggregateId: user.id,
              organizationId: organization.id,
              payload: userPayload(user, membership),
            },
          ],
          audit: {
            organizationId: organization.id,
            actor: { type: 'user', id: user.id },
            action: AuditActions.register,
            target: { type: 'organization', id: organization.id },
            client,
            details: { workspaceId: workspace.id },
          },
        });
        return opened;
      })
      .catch((error: unknown) => {
        if ((error as { code?: string; constraint?: string }).constraint === 'users_email_key') {
          throw AuthError.of(AuthErrorCode.EmailTaken);
        }
        throw error;
      });
    return {
      ...(await this.issuer.pair(signIn)),
      user: toUserView(user),
      organization: toOrganizationView(organization),
      workspace: toWorkspaceView(workspace),
    };
  }

  async login(dto: LoginDto, client: ClientInfo): Promise<TokenPair> {
    const email = dto.email.trim().toLowerCase();
    const attempt = Object.assign(new LoginAttemptEntity(), {
      id: uuidv7(),
      email,
      ip: client.ip,
      succeeded: false,
      createdAt: new Date(),
    } satisfies LoginAttemptEntity);
    // Insert-first: the attempt counts as a failure before the password is verified.
    const wait = await this.uow.run((manager) =>
      this.sessions.reserveAttempt(
        manager,
        attempt,
        { account: MAX_FAILURES_PER_ACCOUNT, ip: MAX_FAILURES_PER_IP },
        LOGIN_WINDOW_MS,
        retryAfterSeconds,
      ),
    );
    if (wait !== null) throw AuthError.of(AuthErrorCode.TooManyAttempts, { retryAfterSeconds: wait });

    const user = await this.users.findByEmail(email);
    const verified = user
      ? await verifyPassword(user.passwordHash, dto.password)
      : await verifyPassword(await this.dummy(), dto.password).then(() => false);
    const membership = user?.active ? await this.users.primaryMembership(user.id) : null;

    if (!user || !verified || !membership) {
      if (user && membership) {
        await this.uow.run(async (manager) => {
          await this.changes.record(manager, {
            audit: {
              organizationId: membership.organizationId,
              actor: { type: 'anonymous', id: null },
              action: AuditActions.loginFailed,
              target: { type: 'user', id: user.id },
              workspaceIds: membership.workspaceIds,
              client,
              details: { reason: verified ? 'inactive' : 'wrong_password' },
            },
          });
        });
      }
      throw AuthError.of(AuthErrorCode.InvalidCredentials);
    }
    const signIn = await this.uow.run(async (manager) => {
      await this.sessions.markAttemptSucceeded(manager, attempt.id);
      await this.users.touchLastLogin(manager, user.id, new Date());
      const opened = await this.issuer.open(manager, user.id, membership, client);
      await this.changes.record(manager, {
        audit: {
          organizationId: membership.organizationId,
          actor: { type: 'user', id: user.id },
          action: AuditActions.loginSucceeded,
          target: { type: 'session', id: opened.sessionId },
          workspaceIds: membership.workspaceIds,
          client,
        },
      });
      return opened;
    });
    return this.issuer.pair(signIn);
  }

  async refresh(dto: RefreshDto, client: ClientInfo): Promise<TokenPair> {
    const hash = hashToken(dto.refreshToken);
    const outcome = await this.uow.run(async (manager): Promise<SignIn | 'reused' | 'access_removed'> => {
      const token = await this.sessions.lockRefreshToken(manager, hash);
      if (!token) throw AuthError.of(AuthErrorCode.InvalidRefreshToken);
      const session = await this.sessions.lockSession(manager, token.organizationId, token.sessionId);
      if (!session) throw AuthError.of(AuthErrorCode.InvalidRefreshToken);
      const now = new Date();
      const decision = decideRefresh(token, session, now);
      switch (decision.kind) {
        case 'reused':
          await this.sessions.revokeFamily(
            manager,
            session.organizationId,
            session.id,
            'refresh_token_reused',
            now,
          );
          await this.changes.record(manager, {
            audit: {
              organizationId: session.organizationId,
              actor: { type: 'anonymous', id: null },
              action: AuditActions.refreshReuseDetected,
              target: { type: 'session', id: session.id },
              client,
              details: { userId: session.userId, tokenId: token.id },
            },
          });
          return 'reused';
        case 'invalid':
          throw AuthError.of(AuthErrorCode.InvalidRefreshToken);
        case 'rotate':
          break;
      }
      const user = await this.users.findById(session.userId, manager);
      const membership = await this.users.membership(session.organizationId, session.userId, manager);
      if (!user?.active || !membership) {
        await this.sessions.revokeFamily(manager, session.organizationId, session.id, 'access_removed', now);
        return 'access_removed';
      }
      await this.sessions.markUsed(manager, token.id, now);
      const refreshToken = newRefreshToken();
      await this.sessions.insertRefreshToken(
        manager,
        this.issuer.refreshRow(session, refreshToken, token.id, now),
      );
      return { userId: user.id, membership, sessionId: session.id, refreshToken };
    });
    // Thrown after the commit, so the family stays revoked.
    if (outcome === 'reused') throw AuthError.of(AuthErrorCode.RefreshTokenReused);
    if (outcome === 'access_removed') throw AuthError.of(AuthErrorCode.InvalidRefreshToken);
    return this.issuer.pair(outcome);
  }

  async logout(principal: Principal, client: ClientInfo): Promise<void> {
    const sessionId = principal.sessionId;
    if (principal.kind !== 'user' || !sessionId) throw AuthError.of(AuthErrorCode.UserTokenRequired);
    await this.uow.run(async (manager) => {
      await this.sessions.revokeFamily(manager, principal.organizationId, sessionId, 'logout', new Date());
      await this.changes.record(manager, {
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: AuditActions.logout,
          target: { type: 'session', id: sessionId },
          workspaceIds: principal.workspaceIds,
          client,
        },
      });
    });
  }

  async me(principal: Principal): Promise<MeView> {
    if (principal.kind !== 'user') throw AuthError.of(AuthErrorCode.UserTokenRequired);
    const [user, organization, membership] = await Promise.all([
      this.users.findById(principal.id),
      this.organizations.findOwn(principal.organizationId),
      this.users.membership(principal.organizationId, principal.id),
    ]);
    if (!user || !organization || !membership) throw new NotFoundError('user', principal.id);
    return {
      user: toUserView(user),
      organization: toOrganizationView(organization),
      membership: { role: membership.role, workspaceIds: membership.workspaceIds },
    };
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hashPassword(randomBytes(32).toString('base64url'));
    return this.dummyHash;
  }
}
