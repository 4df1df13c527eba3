import { TRUSTED_PROXIES } from '@leadflow/platform/service';
import { Module } from '@nestjs/common';
import proxyaddr from 'proxy-addr';
import { ApiKeyExchangeService } from './api-key-exchange.service';
import { ClientOrigins } from './client-origin';
import { EdgeAuthService } from './edge-auth.service';
import { RateLimiterService } from './rate-limiter.service';

@Module({
  providers: [
    EdgeAuthService,
    ApiKeyExchangeService,
    RateLimiterService,
    // The same `trust proxy` setting every service's Express app has.
    { provide: ClientOrigins, useFactory: () => new ClientOrigins(proxyaddr.compile(TRUSTED_PROXIES)) },
  ],
  exports: [EdgeAuthService, ClientOrigins],
})
export class EdgeModule {}
