import { Global, Module } from '@nestjs/common';
import { PlansModule } from '../plans/plans.module';
import { UsageModule } from '../usage/usage.module';
import { OrganizationsController } from './organizations.controller';
import { OrganizationsRepository } from './organizations.repository';
import { OrganizationsService } from './organizations.service';

@Global()
@Module({
  imports: [UsageModule, PlansModule],
  controllers: [OrganizationsController],
  providers: [OrganizationsRepository, OrganizationsService],
  exports: [OrganizationsRepository],
})
export class OrganizationsModule {}
