import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { SigningKeyEntity } from './signing-key.entity';

const LOCK = 'identity:signing-keys';

/** Signing keys are platform-wide (not tenant data): one active key, retired ones until they expire. */
@Injectable()
export class SigningKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [LOCK]);
      return work(manager);
    });
  }

  findActive(manager: EntityManager = this.dataSource.manager): Promise<SigningKeyEntity | null> {
    return manager
      .getRepository(SigningKeyEntity)
      .createQueryBuilder('k')
      .where('k.retiredAt IS NULL')
      .getOne();
  }

  /** Active and retired-but-not-expired keys: what the JWKS publishes and verification accepts. */
  findPublished(): Promise<SigningKeyEntity[]> {
    return this.dataSource
      .getRepository(SigningKeyEntity)
      .createQueryBuilder('k')
      .where('k.retiredAt IS NULL OR k.expiresAt > now()')
      .orderBy('k.createdAt', 'DESC')
      .getMany();
  }

  async findPublishedByKid(kid: string): Promise<SigningKeyEntity | null> {
    return this.dataSource
      .getRepository(SigningKeyEntity)
      .createQueryBuilder('k')
      .where('k.kid = :kid', { kid })
      .andWhere('(k.retiredAt IS NULL OR k.expiresAt > now())')
      .getOne();
  }

  async insert(manager: EntityManager, key: SigningKeyEntity): Promise<void> {
    await manager.getRepository(SigningKeyEntity).insert(key);
  }

  async retireActive(manager: EntityManager, retiredAt: Date, expiresAt: Date): Promise<number> {
    const result = await manager
      .getRepository(SigningKeyEntity)
      .createQueryBuilder()
      .update()
      .set({ retiredAt, expiresAt })
      .where('retired_at IS NULL')
      .execute();
    return result.affected ?? 0;
  }
}
