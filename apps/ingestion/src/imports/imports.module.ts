import { Module } from '@nestjs/common';
import { IntakeModule } from '../intake/intake.module';
import { RecordingModule } from '../recording/recording.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { ImportBatchRecorder } from './import-batch-recorder';
import { ImportClaims } from './import-claims';
import { ImportClaimsRepository } from './import-claims.repository';
import { ImportProcessor } from './import-processor';
import { ImportUploadReceiver } from './import-upload.receiver';
import { ImportWorker } from './import.worker';
import { ImportsController } from './imports.controller';
import { ImportsRepository } from './imports.repository';
import { ImportsService } from './imports.service';

/** CSV imports: upload, background worker (resumable, one claim per import across replicas), progress, errors. */
@Module({
  imports: [WebhooksModule, IntakeModule, RecordingModule],
  controllers: [ImportsController],
  providers: [
    ImportsService,
    ImportsRepository,
    ImportUploadReceiver,
    ImportWorker,
    ImportClaims,
    ImportClaimsRepository,
    ImportProcessor,
    ImportBatchRecorder,
  ],
})
export class ImportsModule {}
