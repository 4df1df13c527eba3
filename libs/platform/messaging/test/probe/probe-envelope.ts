import { factories } from '@leadflow/platform/testing';
import { ProbeIncremented } from './probe.contract';

/**
 * A probe event's envelope as a producer would put it on the topic, for tests that send raw
 * messages (of `type`, ProbeIncremented's by default).
 */
export function probeEnvelope(
  id: string,
  aggregateId: string,
  payload: Record<string, unknown>,
  type: string = ProbeIncremented.type,
): string {
  return JSON.stringify({
    id,
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'test',
    organizationId: factories.id(),
    aggregateId,
    correlationId: 'c-1',
    payload,
  });
}
