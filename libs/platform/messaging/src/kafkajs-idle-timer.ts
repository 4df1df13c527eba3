import { createRequire } from 'node:module';

/**
 * kafkajs 2.2.4's `RequestQueue.scheduleCheckPendingRequests` re-arms a timer with a negative
 * delay (~1 ms) whenever nothing is throttled, even when no request is pending, so every broker
 * connection wakes its event loop about a thousand times a second forever (tulios/kafkajs#1556,
 * #1704; fix proposed in #1667, unreleased). On this platform that is each service's producer,
 * admin and consumer connections: a few percent of a core per idle service, and the same work under
 * load. With nothing pending there is nothing to check: a request that is queued later schedules
 * its own check (`push`), and one that completes checks the queue (`fulfillRequest`).
 *
 * Applied once per process, to kafkajs 2.2.4 only (the pinned version); another version is left
 * as it is, so an upgrade re-examines this.
 */
const requireFromHere = createRequire(__filename);
const PATCHED_VERSION = '2.2.4';

interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
}

let applied: boolean | undefined;

export function applyKafkajsIdleTimerFix(): boolean {
  if (applied !== undefined) return applied;
  const { version } = requireFromHere('kafkajs/package.json') as { version: string };
  if (version !== PATCHED_VERSION) return (applied = false);
  const RequestQueue = requireFromHere('kafkajs/src/network/requestQueue/index.js') as {
    prototype: { scheduleCheckPendingRequests(this: RequestQueueLike): void };
  };
  const original = RequestQueue.prototype.scheduleCheckPendingRequests;
  RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueueLike): void {
    if (this.pending.length === 0) return;
    original.call(this);
  };
  return (applied = true);
}
