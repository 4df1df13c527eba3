import { freshWindow } from './fixed-windows';

/** A clock that moves only when told to, or when slept on. */
function manualClock(start: number) {
  const clock = {
    at: start,
    slept: [] as number[],
    now: () => clock.at,
    sleep: async (ms: number) => {
      clock.slept.push(ms);
      clock.at += ms;
    },
  };
  return clock;
}

describe('freshWindow', () => {
  it('answers the current window at once when enough of it is left', async () => {
    const clock = manualClock(120_000 + 10_000);
    const fresh = await freshWindow(60_000, 30_000, clock);
    expect(fresh.window).toBe(2);
    expect(clock.slept).toEqual([]);
    clock.at = 179_999;
    expect(fresh.current()).toBe(true);
    clock.at = 180_000;
    expect(fresh.current()).toBe(false);
  });

  it('waits for the next window when too little is left', async () => {
    const clock = manualClock(120_000 + 45_000);
    const fresh = await freshWindow(60_000, 30_000, clock);
    expect(clock.slept).toEqual([15_001]);
    expect(fresh.window).toBe(3);
  });

  it('refuses a need the window cannot hold', async () => {
    await expect(freshWindow(60_000, 60_000, manualClock(0))).rejects.toThrow('do not fit');
  });
});
