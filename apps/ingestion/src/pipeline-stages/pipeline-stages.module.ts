import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { PipelineStagesController } from './pipeline-stages.controller';
import { PipelineStagesRepository } from './pipeline-stages.repository';
import { PipelineStagesService } from './pipeline-stages.service';

@Module({
  imports: [DirectoryModule],
  controllers: [PipelineStagesController],
  providers: [PipelineStagesRepository, PipelineStagesService],
})
export class PipelineStagesModule {}
