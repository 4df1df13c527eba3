import type { DynamicModule } from '@nestjs/common';
import { Global, Module } from '@nestjs/common';
import type { EnvSchema } from './load-config';
import { loadConfig } from './load-config';

/**
 * Provides the validated settings object under its own class as the injection token, so a
 * class injects exactly the settings class it needs.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot<T extends object>(schema: EnvSchema<T>, aliases: EnvSchema<object>[] = []): DynamicModule {
    return ConfigModule.register(loadConfig(schema), [schema, ...aliases]);
  }

  /** Provides an already loaded settings object under each of the given classes. */
  static register(config: object, tokens: EnvSchema<object>[]): DynamicModule {
    const providers = tokens.map((token) => ({ provide: token, useValue: config }));
    return { module: ConfigModule, providers, exports: providers.map((p) => p.provide) };
  }
}
