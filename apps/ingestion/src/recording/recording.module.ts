import { Module } from '@nestjs/common';
import { LeadBatchWriter } from './lead-batch-writer';

/** The one write path of new leads, shared by webhook intake and CSV imports. */
@Module({
  providers: [LeadBatchWriter],
  exports: [LeadBatchWriter],
})
export class RecordingModule {}
