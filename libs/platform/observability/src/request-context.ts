import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What every log line and every event published within one request or one handled message carries. */
export interface RequestContextValues {
  requestId: string;
  correlationId: string;
  /** The event being handled, when inside a Kafka handler: becomes `causationId` of events it causes. */
  causationId?: string;
}

const storage = new AsyncLocalStorage<RequestContextValues>();

export const RequestContext = {
  run<T>(values: RequestContextValues, fn: () => T): T {
    return storage.run(values, fn);
  },
  current(): RequestContextValues | undefined {
    return storage.getStore();
  },
};

const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller-supplied id is kept only when it is a plain token; anything else is replaced. */
export function acceptId(candidate: unknown): string | undefined {
  return typeof candidate === 'string' && ID_PATTERN.test(candidate) ? candidate : undefined;
}

export function newId(): string {
  return randomUUID();
}
