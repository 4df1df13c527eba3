import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { GatewayEnv } from './config/env.schema';
import { DocsModule } from './docs/docs.module';
import { HealthModule } from './health/health.module';
import { ServicePlatformModule } from '@leadflow/platform/service';
import { gatewayService } from './service';
import { ProxyModule } from './proxy/proxy.module';
import { RoutingModule } from './routing/routing.module';

@Module({})
export class AppModule {
  /** Built from settings loaded (and validated) by the caller, so a bad setting fails before Nest starts. */
  static forRoot(env: GatewayEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServicePlatformModule.forRoot(gatewayService, env),
        RoutingModule,
        ProxyModule,
        HealthModule,
        DocsModule,
      ],
    };
  }
}
