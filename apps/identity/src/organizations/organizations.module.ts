import { Global, Module } from '@nestjs/common';
import { OrganizationsRepository } from './organizations.repository';

@Global()
@Module({ providers: [OrganizationsRepository], exports: [OrganizationsRepository] })
export class OrganizationsModule {}
