import { KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { messageRefusalOf, planBatch } from './outbox.relay';

describe('planBatch (the byte cap of one relay send)', () => {
  it('takes rows in order while their total stays within the cap', () => {
    expect(planBatch([100, 200, 300, 400], 600)).toBe(3);
    expect(planBatch([100, 200, 300, 400], 599)).toBe(2);
    expect(planBatch([100, 200, 300], 10_000)).toBe(3);
  });

  it('stops at the first row that does not fit, even if a later one would', () => {
    expect(planBatch([300, 400, 10], 500)).toBe(1);
  });

  it('always takes the first row, however large, so nothing waits forever', () => {
    expect(planBatch([5000, 10], 1000)).toBe(1);
  });

  it('caps a backlog of ~12 KB events at the byte cap, not the row limit', () => {
    const sizes = Array.from({ length: 500 }, () => 12_000);
    expect(planBatch(sizes, 512 * 1024)).toBe(43);
  });

  it('takes nothing from nothing', () => {
    expect(planBatch([], 1000)).toBe(0);
  });
});

describe('messageRefusalOf', () => {
  const protocol = (type: string, code: number, retriable = false): KafkaJSProtocolError =>
    Object.assign(new KafkaJSProtocolError(`broker said ${type}`), { type, code, retriable });

  it('finds the broker refusing the message itself, as kafkajs wraps it', () => {
    const tooLarge = protocol('MESSAGE_TOO_LARGE', 10);
    expect(messageRefusalOf(tooLarge)).toBe('MESSAGE_TOO_LARGE');
    // As the retrier bails with it: the protocol error is the cause.
    const bailed = Object.assign(new KafkaJSNonRetriableError(tooLarge), { cause: tooLarge });
    expect(messageRefusalOf(bailed)).toBe('MESSAGE_TOO_LARGE');
    const corrupt = protocol('CORRUPT_MESSAGE', 2, true);
    const exhausted = new KafkaJSNumberOfRetriesExceeded(corrupt, { retryCount: 8, retryTime: 5000 });
    expect(messageRefusalOf(exhausted)).toBe('CORRUPT_MESSAGE');
  });

  it('leaves transient failures to the retry loop', () => {
    expect(messageRefusalOf(protocol('LEADER_NOT_AVAILABLE', 5, true))).toBeUndefined();
    expect(messageRefusalOf(protocol('NOT_ENOUGH_REPLICAS', 19, true))).toBeUndefined();
    expect(messageRefusalOf(new Error('Connection error: connect ECONNREFUSED'))).toBeUndefined();
    expect(messageRefusalOf(undefined)).toBeUndefined();
  });
});
