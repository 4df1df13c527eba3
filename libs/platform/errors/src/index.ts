export * from './domain-error';
export * from './problem';
export * from './validation';
export * from './problem-details.filter';
export * from './body-errors';
export * from './database-faults';
export * from './error-table';
