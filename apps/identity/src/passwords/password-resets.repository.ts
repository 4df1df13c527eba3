import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull, MoreThan } from 'typeorm';
import { PasswordResetEntity } from './password-reset.entity';

/** Password-reset tokens; they belong to a user (a global identity), not to an organization. */
@Injectable()
export class PasswordResetsRepository {
  async insert(manager: EntityManager, reset: PasswordResetEntity): Promise<void> {
    await manager.getRepository(PasswordResetEntity).insert(reset);
  }

  /** When the user's resets since `since` were requested. */
  async requestedSince(manager: EntityManager, userId: string, since: Date): Promise<Date[]> {
    const rows = await manager
      .getRepository(PasswordResetEntity)
      .find({ where: { userId, createdAt: MoreThan(since) }, select: { createdAt: true } });
    return rows.map((r) => r.createdAt);
  }

  lockByTokenHash(manager: EntityManager, tokenHash: Buffer): Promise<PasswordResetEntity | null> {
    return manager
      .getRepository(PasswordResetEntity)
      .createQueryBuilder('r')
      .setLock('pessimistic_write')
      .where('r.tokenHash = :tokenHash', { tokenHash })
      .getOne();
  }

  /** Marks every unused reset of the user used (the one presented and any other outstanding one). */
  async useAllOf(manager: EntityManager, userId: string, at: Date): Promise<void> {
    await manager.getRepository(PasswordResetEntity).update({ userId, usedAt: IsNull() }, { usedAt: at });
  }
}
