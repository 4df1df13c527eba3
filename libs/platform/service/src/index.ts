export * from './service-definition';
export * from './health.controller';
export * from './service-platform.module';
export * from './bootstrap';
export * from './security-headers';
export * from './no-store';
export * from './openapi';
