/**
 * Coalesces concurrent look-ups: every `load` of one event-loop turn is answered by one call of
 * `loadMany` on the next turn (one query for all the requests that arrived together, instead of one
 * each). `loadMany` answers a value per key, in order; its failure fails every load of the call.
 */
export class Coalescer<K, V> {
  private pending: { key: K; resolve: (value: V) => void; reject: (error: unknown) => void }[] = [];

  constructor(private readonly loadMany: (keys: K[]) => Promise<V[]>) {}

  load(key: K): Promise<V> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ key, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const calls = this.pending;
    this.pending = [];
    try {
      const values = await this.loadMany(calls.map((c) => c.key));
      calls.forEach((call, i) => call.resolve(values[i]));
    } catch (error) {
      for (const call of calls) call.reject(error);
    }
  }
}
