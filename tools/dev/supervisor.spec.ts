import type * as Supervisor from './supervisor.mjs';

/** The restart policy of `npm start`, driven by an injected clock (milliseconds since start). */
describe('npm start restart policy', () => {
  let supervisor: typeof Supervisor;
  beforeAll(async () => {
    supervisor = await import('./supervisor.mjs');
  });

  /** Starts, runs `ranMs`, exits: answers the decision, the clock advanced past any delay. */
  const crash = (policy: Supervisor.RestartPolicy, clock: { now: number }, ranMs: number) => {
    policy.started(clock.now);
    clock.now += ranMs;
    const decision = policy.exited(clock.now);
    if (decision.action === 'restart') clock.now += decision.delayMs;
    return decision;
  };

  it('restarts after 0.5 s, doubling up to 10 s, while exits stay under 5 per minute', () => {
    const policy = new supervisor.RestartPolicy({ ...supervisor.RESTART_POLICY, maxExits: 100 });
    const clock = { now: 1_000_000 };
    // Each run lasts 20 s: never stable, and 3 exits a minute at most.
    const delays = Array.from({ length: 8 }, () => crash(policy, clock, 20_000));
    expect(delays).toEqual(
      [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000].map((delayMs) => ({
        action: 'restart',
        delayMs,
      })),
    );
  });

  it('starts the backoff over once a run was stable for 60 s', () => {
    const policy = new supervisor.RestartPolicy();
    const clock = { now: 0 };
    expect(crash(policy, clock, 1000)).toEqual({ action: 'restart', delayMs: 500 });
    expect(crash(policy, clock, 1000)).toEqual({ action: 'restart', delayMs: 1000 });
    expect(crash(policy, clock, 1000)).toEqual({ action: 'restart', delayMs: 2000 });
    expect(crash(policy, clock, 60_000)).toEqual({ action: 'restart', delayMs: 500 });
    expect(crash(policy, clock, 1000)).toEqual({ action: 'restart', delayMs: 1000 });
  });

  it('gives up on the fifth exit within 60 s, and stays given up', () => {
    const policy = new supervisor.RestartPolicy();
    const clock = { now: 0 };
    const decisions = Array.from({ length: 5 }, () => crash(policy, clock, 100));
    expect(decisions.slice(0, 4).map((d) => d.action)).toEqual(['restart', 'restart', 'restart', 'restart']);
    expect(decisions[4]).toEqual({ action: 'give-up', exits: 5 });
    expect(policy.exited(clock.now + 3_600_000).action).toBe('give-up');
  });

  it('does not count exits older than 60 s toward a crash loop', () => {
    const policy = new supervisor.RestartPolicy();
    const clock = { now: 0 };
    // Four quick exits, then a 59 s run: the first exits have left the window by the next exit.
    for (let i = 0; i < 4; i++) expect(crash(policy, clock, 100).action).toBe('restart');
    expect(crash(policy, clock, 59_000)).toMatchObject({ action: 'restart' });
    expect(crash(policy, clock, 100)).toMatchObject({ action: 'restart' });
  });

  it('keeps the last 20 complete lines, across chunks that split lines', () => {
    const tail = new supervisor.LineTail();
    expect(tail.push('line 1\nline')).toEqual(['line 1']);
    expect(tail.push(' 2\n')).toEqual(['line 2']);
    for (let i = 3; i <= 30; i++) tail.push(`line ${i}\n`);
    tail.push('unfinished');
    const lines = tail.text().split('\n');
    expect(lines).toHaveLength(20);
    expect(lines[0]).toBe('line 12');
    expect(lines.at(-1)).toBe('unfinished');
  });
});
