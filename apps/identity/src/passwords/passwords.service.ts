import { MailTokens } from '@leadflow/platform/secrets';
import { PasswordResetRequested } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { ChangeRecorder, actorOf } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { UnitOfWork, nowMs } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditAction } from '../audit/audit-actions';
import { ApiKeysRepository } from '../api-keys/api-keys.repository';
import { AuditActions } from '../audit/audit-actions';
import { AuthError, AuthErrorCode } from '../auth/auth.errors';
import { LoginAttemptEntity } from '../auth/login-attempt.entity';
import { LOGIN_WINDOW_MS, MAX_FAILURES_PER_ACCOUNT, retryAfterSeconds } from '../auth/login-throttle';
import { assertPasswordPolicy, hashPassword, verifyPassword } from '../auth/passwords';
import { SessionsRepository } from '../auth/sessions.repository';
import {
  expiresAfter,
  hashSingleUseToken,
  newSingleUseToken,
  singleUseTokenState,
} from '../common/single-use-token';
import { IdentityEnv } from '../config/env.schema';
import { toApiKeyRef } from '../members/dto/member.dto';
import { UsersRepository } from '../users/users.repository';
import type {
  ChangePasswordDto,
  ConfirmPasswordResetDto,
  PasswordResetResult,
  RequestPasswordResetDto,
} from './dto/password.dto';
import { PasswordResetEntity } from './password-reset.entity';
import { RESET_REQUEST_WINDOW_MS, mayRequestReset } from './password-reset.policy';
import { PasswordResetsRepository } from './password-resets.repository';
import { PasswordError, PasswordErrorCode } from './passwords.errors';

/** Forgotten-password resets and password changes; both end every session of the user. */
@Injectable()
export class PasswordsService {
  constructor(
    private readonly resets: PasswordResetsRepository,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly uow: UnitOfWork,
    private readonly changes: ChangeRecorder,
    private readonly env: IdentityEnv,
    private readonly mailTokens: MailTokens,
    private readonly apiKeys: ApiKeysRepository,
  ) {}

  /**
   * Issues a reset token for a known, active account and publishes it (campaigns mails it). The
   * caller learns nothing: unknown e-mails and requests over the limit are silently ignored.
   */
  async requestReset(dto: RequestPasswordResetDto, client: ClientInfo): Promise<void> {
    const email = dto.email.trim().toLowerCase();
    const user = await this.users.findByEmail(email);
    if (!user?.active) return;
    const primary = await this.users.primaryMembership(user.id);
    if (!primary) return;
    await this.uow.run(async (manager) => {
      // Serializes concurrent requests of one account, so the limit holds.
      if (!(await this.users.lockUser(manager, user.id))) return;
      const now = nowMs();
      const earlier = await this.resets.requestedSince(
        manager,
        user.id,
        new Date(now.getTime() - RESET_REQUEST_WINDOW_MS),
      );
      if (!mayRequestReset(earlier, now)) return;
      const { token, hash } = newSingleUseToken();
      const reset = Object.assign(new PasswordResetEntity(), {
        id: uuidv7(),
        userId: user.id,
        tokenHash: hash,
        createdAt: now,
        expiresAt: expiresAfter(now, this.env.PASSWORD_RESET_TTL_MINUTES * 60_000),
        usedAt: null,
      } satisfies PasswordResetEntity);
      await this.resets.insert(manager, reset);
      await this.changes.record(manager, {
        events: [
          {
            contract: PasswordResetRequested,
            aggregateId: user.id,
            organizationId: primary.organizationId,
            payload: {
              userId: user.id,
              email: user.email,
              name: user.name,
              sealedToken: this.mailTokens.seal('password_reset', user.id, token),
              expiresAt: reset.expiresAt.toISOString(),
            },
          },
        ],
        audit: {
          organizationId: primary.organizationId,
          actor: { type: 'anonymous', id: null },
          action: AuditActions.passwordResetRequested,
          target: { type: 'user', id: user.id },
          workspaceIds: primary.workspaceIds,
          client,
          details: { resetId: reset.id },
        },
      });
    });
  }

  /**
   * Sets a new password with a reset token (single use) and ends every session of the user.
   * Answers how many sessions were revoked and the user's live API keys (a reset after a
   * compromise: review or revoke them).
   */
  async confirmReset(dto: ConfirmPasswordResetDto, client: ClientInfo): Promise<PasswordResetResult> {
    const tokenHash = hashSingleUseToken(dto.token);
    return this.uow.run(async (manager): Promise<PasswordResetResult> => {
      const reset = await this.resets.lockByTokenHash(manager, tokenHash);
      if (!reset) throw PasswordError.of(PasswordErrorCode.ResetTokenInvalid);
      const now = nowMs();
      switch (singleUseTokenState(reset, now)) {
        case 'used':
        case 'revoked':
          throw PasswordError.of(PasswordErrorCode.ResetTokenUsed);
        case 'expired':
          throw PasswordError.of(PasswordErrorCode.ResetTokenExpired);
        case 'pending':
          break;
      }
      const user = await this.users.lockUser(manager, reset.userId);
      if (!user) throw PasswordError.of(PasswordErrorCode.ResetTokenInvalid);
      assertPasswordPolicy(dto.password, user.email);
      const sessionsRevoked = await this.replacePassword(
        manager,
        user.id,
        dto.password,
        'password_reset',
        now,
      );
      const liveApiKeys = (await this.apiKeys.liveCreatedBy(manager, user.id, now)).map((k) => ({
        ...toApiKeyRef(k),
        organizationId: k.organizationId,
      }));
      await this.recordInEveryOrganization(manager, user.id, AuditActions.passwordReset, client, {
        resetId: reset.id,
        sessionsRevoked,
      });
      return { sessionsRevoked, liveApiKeys };
    });
  }

  /**
   * Changes the signed-in user's password after checking the current one. Every session ends,
   * the caller's too: it signs in again with the new password.
   */
  async change(principal: Principal, dto: ChangePasswordDto, client: ClientInfo): Promise<void> {
    if (principal.kind !== 'user') throw AuthError.of(AuthErrorCode.UserTokenRequired);
    const user = await this.users.findById(principal.id);
    if (!user?.active) throw AuthError.of(AuthErrorCode.InvalidCredentials);
    // Wrong current passwords count as failed sign-ins: a stolen access token cannot guess on.
    // Insert-first (as for login): concurrent guesses each see the ones in flight.
    const attempt = Object.assign(new LoginAttemptEntity(), {
      id: uuidv7(),
      email: user.email,
      ip: client.ip,
      succeeded: false,
      createdAt: new Date(),
    } satisfies LoginAttemptEntity);
    const wait = await this.uow.run((manager) =>
      this.sessions.reserveAttempt(
        manager,
        attempt,
        { account: MAX_FAILURES_PER_ACCOUNT },
        LOGIN_WINDOW_MS,
        retryAfterSeconds,
      ),
    );
    if (wait !== null) throw AuthError.of(AuthErrorCode.TooManyAttempts, { retryAfterSeconds: wait });
    if (!(await verifyPassword(user.passwordHash, dto.currentPassword)))
      throw AuthError.of(AuthErrorCode.InvalidCredentials);
    // The right current password is not a failure: the reservation goes.
    await this.uow.run((manager) => this.sessions.releaseAttempt(manager, attempt.id));
    assertPasswordPolicy(dto.newPassword, user.email, 'newPassword');
    await this.uow.run(async (manager) => {
      await this.users.lockUser(manager, user.id);
      const now = nowMs();
      const revoked = await this.replacePassword(manager, user.id, dto.newPassword, 'password_changed', now);
      await this.changes.record(manager, {
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: AuditActions.passwordChanged,
          target: { type: 'user', id: user.id },
          workspaceIds: principal.workspaceIds,
          client,
          details: { sessionsRevoked: revoked },
        },
      });
    });
  }

  /** New hash; outstanding reset tokens spent; every session and refresh-token family revoked. */
  private async replacePassword(
    manager: EntityManager,
    userId: string,
    password: string,
    reason: string,
    now: Date,
  ): Promise<number> {
    await this.users.updatePassword(manager, userId, await hashPassword(password), now);
    await this.resets.useAllOf(manager, userId, now);
    return this.sessions.revokeAllOfUser(manager, userId, reason, now);
  }

  /** A user is global: each organization they belong to sees the entry in its audit log. */
  private async recordInEveryOrganization(
    manager: EntityManager,
    userId: string,
    action: AuditAction,
    client: ClientInfo,
    details: Record<string, unknown>,
  ): Promise<void> {
    for (const membership of await this.users.memberships(userId, manager)) {
      await this.changes.record(manager, {
        audit: {
          organizationId: membership.organizationId,
          actor: { type: 'user', id: userId },
          action,
          target: { type: 'user', id: userId },
          workspaceIds: membership.workspaceIds,
          client,
          details,
        },
      });
    }
  }
}
