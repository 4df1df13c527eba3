export * from './vocabulary';
export * from './events';
