export * from './principal';
export * from './key-source';
export * from './decorators';
export * from './jwt.strategy';
export * from './platform-auth.guard';
export * from './auth.module';
export * from './access.errors';
