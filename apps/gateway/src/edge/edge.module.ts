import { Module } from '@nestjs/common';
import { ApiKeyExchangeService } from './api-key-exchange.service';
import { EdgeAuthService } from './edge-auth.service';
import { RateLimiterService } from './rate-limiter.service';

@Module({
  providers: [EdgeAuthService, ApiKeyExchangeService, RateLimiterService],
  exports: [EdgeAuthService],
})
export class EdgeModule {}
