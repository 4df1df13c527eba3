import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { ProvidersController } from './providers.controller';
import { ProvidersRepository } from './providers.repository';
import { ProvidersService } from './providers.service';

@Module({
  imports: [WebhooksModule, DirectoryModule],
  controllers: [ProvidersController],
  providers: [ProvidersRepository, ProvidersService],
  exports: [ProvidersRepository],
})
export class ProvidersModule {}
