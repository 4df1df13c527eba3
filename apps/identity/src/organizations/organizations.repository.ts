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

  findOwn(organizationId: string): Promise<OrganizationEntity | null> {
    return this.dataSource.getRepository(OrganizationEntity).findOne({ where: { id: organizationId } });
  }
}
