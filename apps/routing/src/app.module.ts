import { ServicePlatformModule } from '@leadflow/platform/service';
import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { RoutingEnv } from './config/env.schema';
import { routingService } from './service';

@Module({})
export class AppModule {
  static forRoot(env: RoutingEnv): DynamicModule {
    return { module: AppModule, imports: [ServicePlatformModule.forRoot(routingService, env)] };
  }
}
