import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { MembershipEntity } from './membership.entity';
import { UserEntity } from './user.entity';

/**
 * Users are global identities (sign-in by e-mail); what they may see is their membership, which
 * is tenant data: membership reads always name the organization.
 */
@Injectable()
export class UsersRepository {
  constructor(private readonly dataSource: DataSource) {}

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  findByEmail(email: string, manager?: EntityManager): Promise<UserEntity | null> {
    return this.manager(manager)
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .where('lower(u.email) = lower(:email)', { email })
      .getOne();
  }

  findById(id: string, manager?: EntityManager): Promise<UserEntity | null> {
    return this.manager(manager).getRepository(UserEntity).findOne({ where: { id } });
  }

  async insertUser(manager: EntityManager, user: UserEntity): Promise<void> {
    await manager.getRepository(UserEntity).insert(user);
  }

  async insertMembership(manager: EntityManager, membership: MembershipEntity): Promise<void> {
    await manager.getRepository(MembershipEntity).insert(membership);
  }

  async updatePassword(
    manager: EntityManager,
    userId: string,
    passwordHash: string,
    at: Date,
  ): Promise<void> {
    await manager.getRepository(UserEntity).update({ id: userId }, { passwordHash, updatedAt: at });
  }

  /** The user row, locked for the rest of the transaction. */
  lockUser(manager: EntityManager, id: string): Promise<UserEntity | null> {
    return manager
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .setLock('pessimistic_write')
      .where('u.id = :id', { id })
      .getOne();
  }

  /** Every membership of the user (one per organization), oldest first. */
  memberships(userId: string, manager?: EntityManager): Promise<MembershipEntity[]> {
    return this.manager(manager)
      .getRepository(MembershipEntity)
      .find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async touchLastLogin(manager: EntityManager, userId: string, at: Date): Promise<void> {
    await manager.getRepository(UserEntity).update({ id: userId }, { lastLoginAt: at });
  }

  /** The membership a password sign-in opens: the oldest one (accepting an invitation opens its own). */
  primaryMembership(userId: string, manager?: EntityManager): Promise<MembershipEntity | null> {
    return this.manager(manager)
      .getRepository(MembershipEntity)
      .findOne({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  membership(
    organizationId: string,
    userId: string,
    manager?: EntityManager,
  ): Promise<MembershipEntity | null> {
    return this.manager(manager)
      .getRepository(MembershipEntity)
      .findOne({ where: { organizationId, userId } });
  }
}
