import { ServicePlatformModule } from '@leadflow/platform/service';
import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { IdentityEnv } from './config/env.schema';
import { identityService } from './service';

@Module({})
export class AppModule {
  static forRoot(env: IdentityEnv): DynamicModule {
    return { module: AppModule, imports: [ServicePlatformModule.forRoot(identityService, env)] };
  }
}
