import { databaseFaultOf } from '@leadflow/platform/errors';
/** A contact read under the batch's locks changed before its row lock was taken: retry the batch. */
export class ConcurrentContactChangeError extends Error {
  constructor() {
    super('a contact the batch fills changed concurrently; the batch is retried');
    this.name = 'ConcurrentContactChangeError';
  }
}

/** SQLSTATEs after which the same batch is simply tried again. */
const RETRYABLE = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement timeout)
  '53300', // too_many_connections
]);

/** out_of_memory: "out of shared memory", i.e. the lock table is full — a smaller batch fits. */
export const OUT_OF_LOCK_TABLE = '53200';

export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  const driver = (error as { driverError?: { code?: unknown } }).driverError?.code;
  const found = typeof code === 'string' ? code : driver;
  return typeof found === 'string' ? found : undefined;
}

function constraintOf(error: unknown): string | undefined {
  const own = (error as { constraint?: unknown }).constraint;
  const driver = (error as { driverError?: { constraint?: unknown } }).driverError?.constraint;
  const found = typeof own === 'string' ? own : driver;
  return typeof found === 'string' ? found : undefined;
}

/** The database is unreachable or the connection broke. */
export function isConnectionError(error: unknown): boolean {
  return databaseFaultOf(error) === 'unavailable';
}

/** A conflict another writer may have caused: worth another try of the same batch. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ConcurrentContactChangeError || isConnectionError(error)) return true;
  const state = sqlState(error);
  if (state === undefined) return false;
  if (RETRYABLE.has(state)) return true;
  // An external id that is not a dedup key (so not locked), taken by another writer between the
  // batch's read and its insert.
  return state === '23505' && constraintOf(error) === 'leads_external_id';
}
