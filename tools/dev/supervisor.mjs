// The restart policy of `npm start`, kept pure (no timers, no processes) so that it is tested with
// an injected clock: a service that exits unexpectedly is restarted after a backoff that starts at
// 0.5 s and doubles up to 10 s; once it has run for a stable period (60 s) the backoff starts over;
// the fifth exit within 60 s is a crash loop, and the service is given up (the others stay up).

export const RESTART_POLICY = Object.freeze({
  /** The first restart's delay; each unstable exit doubles it. */
  initialDelayMs: 500,
  maxDelayMs: 10_000,
  /** A run at least this long resets the backoff. */
  stableAfterMs: 60_000,
  /** This many exits within `crashWindowMs` give the service up. */
  maxExits: 5,
  crashWindowMs: 60_000,
  /** Lines of a given-up service's output that are printed. */
  tailLines: 20,
});

/**
 * One service's restart state. `started(now)` when a process of it starts, `exited(now)` when it
 * exits unexpectedly: answers `{ action: 'restart', delayMs }` or `{ action: 'give-up', exits }`.
 */
export class RestartPolicy {
  constructor(policy = RESTART_POLICY) {
    this.policy = policy;
    this.exits = [];
    this.delayMs = policy.initialDelayMs;
    this.startedAt = undefined;
    this.gaveUp = false;
  }

  started(now) {
    this.startedAt = now;
  }

  exited(now) {
    const { policy } = this;
    if (this.gaveUp) return { action: 'give-up', exits: this.exits.length };
    if (this.startedAt !== undefined && now - this.startedAt >= policy.stableAfterMs) {
      this.delayMs = policy.initialDelayMs;
    }
    this.startedAt = undefined;
    this.exits = this.exits.filter((at) => now - at < policy.crashWindowMs);
    this.exits.push(now);
    if (this.exits.length >= policy.maxExits) {
      this.gaveUp = true;
      return { action: 'give-up', exits: this.exits.length };
    }
    const delayMs = this.delayMs;
    this.delayMs = Math.min(policy.maxDelayMs, this.delayMs * 2);
    return { action: 'restart', delayMs };
  }
}

/** The last `n` lines a process printed, kept as they arrive (chunks need not end at a newline). */
export class LineTail {
  constructor(n = RESTART_POLICY.tailLines) {
    this.n = n;
    this.lines = [];
    this.partial = '';
  }

  /** Adds a chunk; answers the complete lines it finished. */
  push(chunk) {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    const complete = parts.filter((line) => line.length > 0);
    for (const line of complete) {
      this.lines.push(line);
      if (this.lines.length > this.n) this.lines.shift();
    }
    return complete;
  }

  text() {
    const lines = this.partial ? [...this.lines, this.partial].slice(-this.n) : this.lines;
    return lines.join('\n');
  }
}
