export * from './client-info';
export * from './audit-record';
export * from './audit-entry.entity';
export * from './audit-entry.view';
export * from './audit-log.query';
export * from './audit-log';
export * from './audit.module';
export * from './audit-table';
