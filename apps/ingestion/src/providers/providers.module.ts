import { Module } from '@nestjs/common';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { ProvidersController } from './providers.controller';
import { ProvidersRepository } from './providers.repository';
import { ProvidersService } from './providers.service';

@Module({
  imports: [WebhooksModule],
  controllers: [ProvidersController],
  providers: [ProvidersRepository, ProvidersService],
  exports: [ProvidersRepository],
})
export class ProvidersModule {}
