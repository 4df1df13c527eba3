import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { OrganizationEntity } from './organization.entity';

/** Organizations are the tenants themselves: every read is by the caller's own organization id. */
@Injectable()
export class OrganizationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, organization: OrganizationEntity): Promise<void> {
    await manager.getRepository(OrganizationEntity).insert(organization);
  }

  /** The organization row, locked for the rest of the transaction. */
  lockOwn(manager: EntityManager, organizationId: string): Promise<OrganizationEntity | null> {
    return manager
      .getRepository(OrganizationEntity)
      .findOne({ where: { id: organizationId }, lock: { mode: 'pessimistic_write' } });
  }

  async update(
    manager: EntityManager,
    organizationId: string,
    patch: Partial<OrganizationEntity>,
  ): Promise<void> {
    await manager.getRepository(OrganizationEntity).update({ id: organizationId }, patch);
  }

  findOwn(organizationId: string): Promise<OrganizationEntity | null> {
    return this.dataSource.getRepository(OrganizationEntity).findOne({ where: { id: organizationId } });
  }
}
