import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { ProvidersModule } from '../providers/providers.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { IntakeController } from './intake.controller';
import { IntakeLimits } from './intake-limits';
import { IntakeRepository } from './intake.repository';
import { IntakeService } from './intake.service';
import { LeadRecorder } from './lead-recorder';

@Module({
  imports: [DirectoryModule, WebhooksModule, ProvidersModule],
  controllers: [IntakeController],
  providers: [IntakeService, IntakeLimits, IntakeRepository, LeadRecorder],
  exports: [LeadRecorder, IntakeLimits],
})
export class IntakeModule {}
