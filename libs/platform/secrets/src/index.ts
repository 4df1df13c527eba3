export * from './mail-tokens';
export * from './secret-box';
export * from './secrets-setting';
