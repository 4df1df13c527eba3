/** Types of supervisor.mjs, for its unit test. */
export declare const RESTART_POLICY: Readonly<{
  initialDelayMs: number;
  maxDelayMs: number;
  stableAfterMs: number;
  maxExits: number;
  crashWindowMs: number;
  tailLines: number;
}>;
export type RestartDecision = { action: 'restart'; delayMs: number } | { action: 'give-up'; exits: number };
export declare class RestartPolicy {
  constructor(policy?: typeof RESTART_POLICY);
  started(now: number): void;
  exited(now: number): RestartDecision;
}
export declare class LineTail {
  constructor(n?: number);
  push(chunk: string): string[];
  text(): string;
}
