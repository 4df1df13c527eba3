import { BaseServiceEnv } from '@leadflow/platform/config';
import type { DynamicModule, Provider } from '@nestjs/common';
import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { JwtStrategy } from './jwt.strategy';
import { JwksKeySource, VERIFICATION_KEY_SOURCE } from './key-source';
import { PlatformAuthGuard } from './platform-auth.guard';

/**
 * Authentication for a service: every route needs a valid access token unless marked otherwise.
 * Keys come from identity's JWKS (IDENTITY_JWKS_URL); identity itself passes its own key source.
 */
@Global()
@Module({})
export class AuthModule {
  static forRoot(options: { keySource?: Provider } = {}): DynamicModule {
    const keySource: Provider = options.keySource ?? {
      provide: VERIFICATION_KEY_SOURCE,
      inject: [BaseServiceEnv],
      useFactory: (env: BaseServiceEnv) => new JwksKeySource(env.IDENTITY_JWKS_URL),
    };
    return {
      module: AuthModule,
      imports: [PassportModule],
      providers: [keySource, JwtStrategy, { provide: APP_GUARD, useClass: PlatformAuthGuard }],
      exports: [VERIFICATION_KEY_SOURCE],
    };
  }
}
