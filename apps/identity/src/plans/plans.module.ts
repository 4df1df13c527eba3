import { Module } from '@nestjs/common';
import { PlanOperationsController } from './plan-operations.controller';
import { PlanRequestsController } from './plan-requests.controller';
import { PlanRequestsRepository } from './plan-requests.repository';
import { PlansService } from './plans.service';

/** Plan changes: operators set plans and decide owners' requests (OrganizationsRepository is global). */
@Module({
  controllers: [PlanRequestsController, PlanOperationsController],
  providers: [PlanRequestsRepository, PlansService],
  exports: [PlansService],
})
export class PlansModule {}
