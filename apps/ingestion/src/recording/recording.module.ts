import { Module } from '@nestjs/common';
import { LeadBatchRepository } from './lead-batch.repository';
import { LeadBatchWriter } from './lead-batch-writer';

/** The one write path of new leads, shared by webhook intake and CSV imports. */
@Module({
  providers: [LeadBatchWriter, LeadBatchRepository],
  exports: [LeadBatchWriter, LeadBatchRepository],
})
export class RecordingModule {}
