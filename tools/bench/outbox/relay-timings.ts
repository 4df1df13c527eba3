import type { Producer } from 'kafkajs';
import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';

export interface Timing {
  totalMs: number;
  calls: number;
}

/**
 * Where a relay spends its time, per step of `publishBatch`: the SELECT of unsent rows (including
 * the driver turning them into objects), building the Kafka batch, `sendBatch`, and the UPDATE
 * that marks rows sent. Collected by wrapping the relay's DataSource and producer, so the relay
 * itself runs unmodified.
 */
export class RelayTimings {
  select: Timing = { totalMs: 0, calls: 0 };
  build: Timing = { totalMs: 0, calls: 0 };
  send: Timing = { totalMs: 0, calls: 0 };
  update: Timing = { totalMs: 0, calls: 0 };
  private lastSelectEnd: number | undefined;

  reset(): void {
    this.select = { totalMs: 0, calls: 0 };
    this.build = { totalMs: 0, calls: 0 };
    this.send = { totalMs: 0, calls: 0 };
    this.update = { totalMs: 0, calls: 0 };
    this.lastSelectEnd = undefined;
  }

  /** A view of `dataSource` that times the relay's SELECT and UPDATE statements. */
  wrapDataSource(dataSource: DataSource): DataSource {
    const query = dataSource.query.bind(dataSource);
    const timed: DataSource['query'] = async (sql, parameters, runner) => {
      const statement = sql.trimStart().slice(0, 6).toUpperCase();
      const started = performance.now();
      const result = await query(sql, parameters, runner);
      const ended = performance.now();
      if (statement === 'SELECT') {
        add(this.select, ended - started);
        this.lastSelectEnd = ended;
      } else if (statement === 'UPDATE') {
        add(this.update, ended - started);
      }
      return result;
    };
    return new Proxy(dataSource, {
      get: (target, property) => (property === 'query' ? timed : Reflect.get(target, property, target)),
    });
  }

  /** A view of `producer` that times `sendBatch` (and the batch building just before it). */
  wrapProducer(producer: Producer): Producer {
    const sendBatch = producer.sendBatch.bind(producer);
    const timed: Producer['sendBatch'] = async (batch) => {
      const started = performance.now();
      if (this.lastSelectEnd !== undefined) add(this.build, started - this.lastSelectEnd);
      this.lastSelectEnd = undefined;
      const result = await sendBatch(batch);
      add(this.send, performance.now() - started);
      return result;
    };
    return new Proxy(producer, {
      get: (target, property) => (property === 'sendBatch' ? timed : Reflect.get(target, property, target)),
    });
  }
}

function add(timing: Timing, ms: number): void {
  timing.totalMs += ms;
  timing.calls++;
}

export function perCall(timing: Timing): number {
  return timing.calls === 0 ? 0 : timing.totalMs / timing.calls;
}
