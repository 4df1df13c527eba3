import { Global, Module } from '@nestjs/common';
import { UpstreamClient } from './upstream-client';
import { UpstreamRegistry } from './upstream-registry';

/** Where the upstream services are, and a small client for the gateway's own calls to them. */
@Global()
@Module({
  providers: [UpstreamRegistry, UpstreamClient],
  exports: [UpstreamRegistry, UpstreamClient],
})
export class RoutingModule {}
