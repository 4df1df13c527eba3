import { Module } from '@nestjs/common';
import { ApiKeyExchangeController, ApiKeysController } from './api-keys.controller';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';

@Module({
  controllers: [ApiKeysController, ApiKeyExchangeController],
  providers: [ApiKeysRepository, ApiKeysService],
})
export class ApiKeysModule {}
