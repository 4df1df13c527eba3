export * from './request-context';
export * from './redact';
export * from './metrics.service';
export * from './observability.module';
export * from './metrics.listener';
