import { Module } from '@nestjs/common';
import { UsageConsumer } from './usage.consumer';
import { UsageRepository } from './usage.repository';
import { UsageService } from './usage.service';

/** Monthly usage counters per organization (shown with the organization, next to its quotas). */
@Module({
  controllers: [UsageConsumer],
  providers: [UsageRepository, UsageService],
  exports: [UsageService],
})
export class UsageModule {}
