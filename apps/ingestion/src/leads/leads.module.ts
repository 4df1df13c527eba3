import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { LeadsController } from './leads.controller';
import { LeadsRepository } from './leads.repository';
import { LeadsService } from './leads.service';

@Module({
  imports: [DirectoryModule],
  controllers: [LeadsController],
  providers: [LeadsRepository, LeadsService],
  exports: [LeadsRepository],
})
export class LeadsModule {}
