import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { WebhookSecrets } from './webhook-secrets';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

@Module({
  imports: [DirectoryModule],
  controllers: [WebhooksController],
  providers: [WebhooksRepository, WebhooksService, WebhookSecrets],
  exports: [WebhooksRepository, WebhookSecrets],
})
export class WebhooksModule {}
