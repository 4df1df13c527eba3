export * from './envelope';
export * from './topics';
export * from './problem';
export * from './identity';
export * from './ingestion';
export * from './catalogue';
