import { createRequire } from 'node:module';
import { applyKafkajsIdleTimerFix } from './kafkajs-idle-timer';

const requireFromHere = createRequire(__filename);
type Queue = {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  destroy(): void;
};
const RequestQueue = requireFromHere('kafkajs/src/network/requestQueue/index.js') as new (
  options: object,
) => Queue;

function queue(): Queue {
  const logger = {
    debug: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    info: () => undefined,
  };
  return new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: true,
    clientId: 'test',
    broker: '127.0.0.1:1',
    logger,
    isConnected: () => true,
  });
}

describe('kafkajs idle timer fix', () => {
  beforeAll(() => {
    expect(applyKafkajsIdleTimerFix()).toBe(true);
  });

  it('arms no timer for a connection with nothing pending (kafkajs 2.2.4 re-arms one every ~1 ms)', () => {
    const q = queue();
    try {
      q.checkPendingRequests();
      expect(q.throttleCheckTimeoutId).toBeNull();
    } finally {
      clearTimeout(q.throttleCheckTimeoutId ?? undefined); // else the unfixed loop keeps Jest alive
      q.destroy();
    }
  });

  it('still schedules the check of a request queued while the broker throttles', () => {
    const q = queue();
    q.throttledUntil = Date.now() + 50;
    q.pending.push({});
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    clearTimeout(q.throttleCheckTimeoutId as NodeJS.Timeout);
    q.destroy();
  });
});
