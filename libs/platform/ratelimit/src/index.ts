export * from './fixed-window';
export * from './fixed-window.limiter';
export * from './redis-client';
export * from './quota-month';
