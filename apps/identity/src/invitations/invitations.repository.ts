import type { Page } from '@leadflow/contracts';
import type { TenantScope } from '@leadflow/platform/persistence';
import { TenantRepository, keysetPage } from '@leadflow/platform/persistence';
import { NotFoundError } from '@leadflow/platform/errors';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { InvitationStatus } from './invitation.state';
import { InvitationEntity } from './invitation.entity';

/** Invitations (tenant rows); only acceptance looks one up across tenants, by its token hash. */
@Injectable()
export class InvitationsRepository {
  private readonly invitations: TenantRepository<InvitationEntity>;

  constructor(dataSource: DataSource) {
    this.invitations = new TenantRepository(dataSource.getRepository(InvitationEntity), 'invitation', {
      workspaceScoped: false,
    });
  }

  async insert(manager: EntityManager, scope: TenantScope, invitation: InvitationEntity): Promise<void> {
    await this.invitations.within(manager).insert(scope, [invitation]);
  }

  /** Oldest first. */
  list(
    scope: TenantScope,
    query: { limit: number; cursor?: string; status?: InvitationStatus },
    now: Date,
  ): Promise<Page<InvitationEntity>> {
    const qb = this.invitations.queryBuilder(scope, 'i');
    switch (query.status) {
      case 'accepted':
        qb.andWhere('i.acceptedAt IS NOT NULL');
        break;
      case 'revoked':
        qb.andWhere('i.acceptedAt IS NULL AND i.revokedAt IS NOT NULL');
        break;
      case 'expired':
        qb.andWhere('i.acceptedAt IS NULL AND i.revokedAt IS NULL AND i.expiresAt <= :now', { now });
        break;
      case 'pending':
        qb.andWhere('i.acceptedAt IS NULL AND i.revokedAt IS NULL AND i.expiresAt > :now', { now });
        break;
      case undefined:
        break;
    }
    return keysetPage(qb, 'i', query, { direction: 'ASC' });
  }

  /** The organization's invitation, locked for the transaction (404 for another tenant's). */
  async lock(manager: EntityManager, scope: TenantScope, id: string): Promise<InvitationEntity> {
    const row = await this.invitations
      .within(manager)
      .queryBuilder(scope, 'i')
      .andWhere('i.id = :id', { id })
      .setLock('pessimistic_write')
      .getOne();
    if (!row) throw new NotFoundError('invitation', id);
    return row;
  }

  /** The invitation with this token hash, whatever its organization, locked for the transaction. */
  lockByTokenHash(manager: EntityManager, tokenHash: Buffer): Promise<InvitationEntity | null> {
    return manager
      .getRepository(InvitationEntity)
      .createQueryBuilder('i')
      .setLock('pessimistic_write')
      .where('i.tokenHash = :tokenHash', { tokenHash })
      .getOne();
  }

  /** Revokes the still-pending invitations of this e-mail (a new invitation replaces them). */
  async revokePendingFor(manager: EntityManager, scope: TenantScope, email: string, at: Date): Promise<void> {
    await manager
      .getRepository(InvitationEntity)
      .createQueryBuilder()
      .update()
      .set({ revokedAt: at })
      .where(
        'organization_id = :org AND email = :email AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > :at',
        { org: scope.organizationId, email, at },
      )
      .execute();
  }

  async update(
    manager: EntityManager,
    scope: TenantScope,
    id: string,
    patch: Partial<InvitationEntity>,
  ): Promise<void> {
    await this.invitations.within(manager).update(scope, { id }, patch);
  }
}
