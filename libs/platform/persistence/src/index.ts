export * from './database';
export * from './data-source';
export * from './pagination';
export * from './tenant-repository';
export * from './copy';
export * from './time';
export * from './unit-of-work';
