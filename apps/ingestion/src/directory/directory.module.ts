import { Module } from '@nestjs/common';
import { DirectoryConsumer } from './directory.consumer';
import { DirectoryRepository } from './directory.repository';
import { DirectoryService } from './directory.service';

@Module({
  providers: [DirectoryRepository, DirectoryService, DirectoryConsumer],
  exports: [DirectoryService],
})
export class DirectoryModule {}
