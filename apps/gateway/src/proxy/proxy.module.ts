import { Module } from '@nestjs/common';
import { EdgeModule } from '../edge/edge.module';
import { GatewayFrontDoor } from './front-door';
import { UpstreamProxyService } from './upstream-proxy.service';

/** Requests for the services: the front door (ahead of Express) checks them at the edge and proxies them. */
@Module({
  imports: [EdgeModule],
  providers: [UpstreamProxyService, GatewayFrontDoor],
  exports: [GatewayFrontDoor],
})
export class ProxyModule {}
