import { createServiceApp } from '@leadflow/platform/service';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import type { GatewayEnv } from './config/env.schema';
import { gatewayService } from './service';

/** Builds the gateway app, not yet listening (the integration tests run it in-process). */
export function createGatewayApp(env: GatewayEnv): Promise<NestExpressApplication> {
  return createServiceApp(gatewayService, (settings) => AppModule.forRoot(settings), env);
}
