import { Module } from '@nestjs/common';
import { UpstreamProxyService } from './upstream-proxy.service';

/** The proxy is plain Express middleware; `createGatewayApp` mounts it ahead of Nest's routes. */
@Module({
  providers: [UpstreamProxyService],
  exports: [UpstreamProxyService],
})
export class ProxyModule {}
