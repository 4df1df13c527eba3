import { Module } from '@nestjs/common';
import { LeadBatchWriter } from './lead-batch-writer';
import { LeadEventWriter } from './lead-event-writer';

/** The one write path of new leads, shared by webhook intake and CSV imports. */
@Module({
  providers: [LeadBatchWriter, LeadEventWriter],
  exports: [LeadBatchWriter, LeadEventWriter],
})
export class RecordingModule {}
