import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { LoginAttemptEntity } from './login-attempt.entity';
import { RefreshTokenEntity } from './refresh-token.entity';
import { SessionEntity } from './session.entity';

/** Sessions, their refresh-token families, and login attempts. */
@Injectable()
export class SessionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insertSession(manager: EntityManager, session: SessionEntity): Promise<void> {
    await manager.getRepository(SessionEntity).insert(session);
  }

  async insertRefreshToken(manager: EntityManager, token: RefreshTokenEntity): Promise<void> {
    await manager.getRepository(RefreshTokenEntity).insert(token);
  }

  /** The token with this hash, locked for the rest of the transaction (two refreshes serialize). */
  lockRefreshToken(manager: EntityManager, tokenHash: Buffer): Promise<RefreshTokenEntity | null> {
    return manager
      .getRepository(RefreshTokenEntity)
      .createQueryBuilder('t')
      .setLock('pessimistic_write')
      .where('t.tokenHash = :tokenHash', { tokenHash })
      .getOne();
  }

  lockSession(manager: EntityManager, organizationId: string, id: string): Promise<SessionEntity | null> {
    return manager
      .getRepository(SessionEntity)
      .createQueryBuilder('s')
      .setLock('pessimistic_write')
      .where('s.id = :id AND s.organizationId = :organizationId', { id, organizationId })
      .getOne();
  }

  async markUsed(manager: EntityManager, tokenId: string, at: Date): Promise<void> {
    await manager.getRepository(RefreshTokenEntity).update({ id: tokenId }, { usedAt: at });
  }

  /** Revokes a session and every refresh token of its family. */
  async revokeFamily(
    manager: EntityManager,
    organizationId: string,
    sessionId: string,
    reason: string,
    at: Date,
  ): Promise<void> {
    await manager
      .getRepository(SessionEntity)
      .createQueryBuilder()
      .update()
      .set({ revokedAt: at, revokedReason: reason })
      .where('id = :sessionId AND organization_id = :organizationId AND revoked_at IS NULL', {
        sessionId,
        organizationId,
      })
      .execute();
    await manager
      .getRepository(RefreshTokenEntity)
      .createQueryBuilder()
      .update()
      .set({ revokedAt: at })
      .where('session_id = :sessionId AND organization_id = :organizationId AND revoked_at IS NULL', {
        sessionId,
        organizationId,
      })
      .execute();
  }

  /**
   * Revokes every session of the user, in every organization, and every refresh token of their
   * families (password reset and change). Returns how many sessions were still live.
   */
  /**
   * Revokes every open session of the user (and its refresh tokens), in one organization when
   * `organizationId` is given. Answers how many sessions were open.
   */
  async revokeAllOfUser(
    manager: EntityManager,
    userId: string,
    reason: string,
    at: Date,
    organizationId?: string,
  ): Promise<number> {
    const inOrg = organizationId === undefined ? '' : ' AND organization_id = $3';
    const params = organizationId === undefined ? [userId, at] : [userId, at, organizationId];
    await manager.query(
      `UPDATE identity.refresh_tokens SET revoked_at = $2
        WHERE revoked_at IS NULL
          AND session_id IN (SELECT id FROM identity.sessions WHERE user_id = $1${inOrg})`,
      params,
    );
    const qb = manager
      .getRepository(SessionEntity)
      .createQueryBuilder()
      .update()
      .set({ revokedAt: at, revokedReason: reason })
      .where('user_id = :userId AND revoked_at IS NULL', { userId });
    if (organizationId !== undefined) qb.andWhere('organization_id = :organizationId', { organizationId });
    const result = await qb.execute();
    return result.affected ?? 0;
  }

  /**
   * Deletes at most `limit` attempts made before `before` (one bounded statement; replicas pruning
   * at the same time skip each other's rows). Answers how many were deleted.
   */
  async pruneAttempts(before: Date, limit: number): Promise<number> {
    // TypeORM answers a DELETE as [rows, affected].
    const [, deleted] = (await this.dataSource.query(
      `DELETE FROM identity.login_attempts WHERE id IN (
         SELECT id FROM identity.login_attempts WHERE created_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [before, limit],
    )) as [unknown[], number];
    return deleted;
  }

  async recordAttempt(attempt: LoginAttemptEntity, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).getRepository(LoginAttemptEntity).insert(attempt);
  }

  /**
   * Reserves one attempt under the throttle, atomically: takes a transaction-scoped advisory lock
   * per e-mail (and per IP when an IP limit is given; always in that order), counts the failures
   * within the window and, below the limits, inserts the attempt as a failure before the password
   * is verified. Concurrent attempts on one account therefore each see the ones in flight: at most
   * `limit` are evaluated. Returns the seconds to wait (nothing inserted), or null (reserved; the
   * caller marks it succeeded or releases it).
   */
  async reserveAttempt(
    manager: EntityManager,
    attempt: LoginAttemptEntity,
    limits: { account: number; ip?: number },
    windowMs: number,
    retryAfter: (failures: readonly Date[], limit: number, now: Date) => number | null,
  ): Promise<number | null> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('login_attempts:email:' || $1, 0))`, [
      attempt.email,
    ]);
    if (limits.ip !== undefined) {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('login_attempts:ip:' || $1, 0))`, [
        attempt.ip,
      ]);
    }
    const now = attempt.createdAt;
    const since = new Date(now.getTime() - windowMs);
    const wait = Math.max(
      retryAfter(await this.accountFailures(attempt.email, since, manager), limits.account, now) ?? 0,
      limits.ip === undefined
        ? 0
        : (retryAfter(await this.ipFailures(attempt.ip, since, manager), limits.ip, now) ?? 0),
    );
    if (wait > 0) return wait;
    await manager.getRepository(LoginAttemptEntity).insert({ ...attempt, succeeded: false });
    return null;
  }

  async markAttemptSucceeded(manager: EntityManager, id: string): Promise<void> {
    await manager.getRepository(LoginAttemptEntity).update({ id }, { succeeded: true });
  }

  async releaseAttempt(manager: EntityManager, id: string): Promise<void> {
    await manager.getRepository(LoginAttemptEntity).delete({ id });
  }

  /** Failed attempts for the e-mail since its last successful login, within the window, oldest first. */
  async accountFailures(email: string, since: Date, manager?: EntityManager): Promise<Date[]> {
    const rows = await (manager ?? this.dataSource.manager).query<{ created_at: Date }[]>(
      `SELECT created_at FROM identity.login_attempts
        WHERE email = $1 AND NOT succeeded AND created_at > $2
          AND created_at > coalesce(
            (SELECT max(created_at) FROM identity.login_attempts WHERE email = $1 AND succeeded), '-infinity')
        ORDER BY created_at LIMIT 1000`,
      [email, since],
    );
    return rows.map((r) => r.created_at);
  }

  async ipFailures(ip: string, since: Date, manager?: EntityManager): Promise<Date[]> {
    const rows = await (manager ?? this.dataSource.manager).query<{ created_at: Date }[]>(
      `SELECT created_at FROM identity.login_attempts
        WHERE ip = $1 AND NOT succeeded AND created_at > $2 ORDER BY created_at LIMIT 1000`,
      [ip, since],
    );
    return rows.map((r) => r.created_at);
  }
}
