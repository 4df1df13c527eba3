import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { ProvidersModule } from '../providers/providers.module';
import { RecordingModule } from '../recording/recording.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { IntakeController } from './intake.controller';
import { IntakeLimits } from './intake-limits';
import { IntakeRepository } from './intake.repository';
import { IntakeRequestsPruner } from './intake-requests.pruner';
import { IntakeRoute } from './intake.route';
import { IntakeService } from './intake.service';
import { IntakeWriter } from './intake-writer';

@Module({
  imports: [DirectoryModule, WebhooksModule, ProvidersModule, RecordingModule],
  controllers: [IntakeController],
  providers: [IntakeService, IntakeLimits, IntakeRepository, IntakeWriter, IntakeRoute, IntakeRequestsPruner],
  exports: [IntakeLimits, IntakeRepository, IntakeRoute],
})
export class IntakeModule {}
