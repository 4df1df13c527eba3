export * from './test-env';
export * from './infrastructure';
export * from './factories';
export * from './http-client';
export * from './child-process';
export * from './tcp-proxy';
export * from './mail-tokens';
export * from './fixed-windows';
