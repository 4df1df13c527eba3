import type { Page } from '@leadflow/contracts';
import type { TenantScope } from '@leadflow/platform/persistence';
import { TenantRepository, keysetPage } from '@leadflow/platform/persistence';
import { NotFoundError } from '@leadflow/platform/errors';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { MembershipEntity } from '../users/membership.entity';
import { UserEntity } from '../users/user.entity';

/** Members of an organization: memberships (tenant rows) with their users. */
@Injectable()
export class MembersRepository {
  private readonly memberships: TenantRepository<MembershipEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.memberships = new TenantRepository(dataSource.getRepository(MembershipEntity), 'member', {
      workspaceScoped: false,
    });
  }

  async list(
    scope: TenantScope,
    query: { limit: number; cursor?: string },
  ): Promise<Page<{ membership: MembershipEntity; user: UserEntity }>> {
    const page = await keysetPage(this.memberships.queryBuilder(scope, 'm'), 'm', query, {
      direction: 'ASC',
    });
    const users = await this.users(page.items.map((m) => m.userId));
    const items = page.items.flatMap((membership) => {
      const user = users.get(membership.userId);
      return user ? [{ membership, user }] : [];
    });
    return { items, nextCursor: page.nextCursor };
  }

  /** The member (by user id), its membership row locked for the transaction. */
  async lock(
    manager: EntityManager,
    scope: TenantScope,
    userId: string,
  ): Promise<{ membership: MembershipEntity; user: UserEntity }> {
    const membership = await manager
      .getRepository(MembershipEntity)
      .createQueryBuilder('m')
      .setLock('pessimistic_write')
      .where('m.organizationId = :org AND m.userId = :userId', { org: scope.organizationId, userId })
      .getOne();
    const user = membership
      ? await manager.getRepository(UserEntity).findOne({ where: { id: userId } })
      : null;
    if (!membership || !user) throw new NotFoundError('member', userId);
    return { membership, user };
  }

  /** Owners of the organization, locked (two demotions cannot both pass the last-owner check). */
  async lockOwners(manager: EntityManager, scope: TenantScope): Promise<MembershipEntity[]> {
    return manager
      .getRepository(MembershipEntity)
      .createQueryBuilder('m')
      .setLock('pessimistic_write')
      .where('m.organizationId = :org AND m.role = :role', { org: scope.organizationId, role: 'owner' })
      .getMany();
  }

  async update(
    manager: EntityManager,
    scope: TenantScope,
    id: string,
    patch: Partial<MembershipEntity>,
  ): Promise<void> {
    await this.memberships.within(manager).update(scope, { id }, patch);
  }

  async remove(manager: EntityManager, scope: TenantScope, id: string): Promise<void> {
    await manager.getRepository(MembershipEntity).delete({ id, organizationId: scope.organizationId });
  }

  private async users(ids: string[]): Promise<Map<string, UserEntity>> {
    if (ids.length === 0) return new Map();
    const rows = await this.dataSource.getRepository(UserEntity).find({ where: { id: In(ids) } });
    return new Map(rows.map((u) => [u.id, u]));
  }
}
