/** Milliseconds spent per step of the batches of a run (for logs and benchmarks). */
export type StepTimings = Record<string, number>;

export function timed<T>(timings: StepTimings | undefined, step: string, work: () => Promise<T>): Promise<T> {
  if (!timings) return work();
  const began = performance.now();
  return work().finally(() => (timings[step] = (timings[step] ?? 0) + performance.now() - began));
}
