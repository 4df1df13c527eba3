import type { IdentityEnv } from '../config/env.schema';
import { LOGIN_WINDOW_MS } from './login-throttle';
import { LoginAttemptsPruner, PRUNE_BATCH_SIZE, PRUNE_MAX_BATCHES } from './login-attempts.pruner';
import type { SessionsRepository } from './sessions.repository';

describe('login attempts pruner', () => {
  const now = new Date('2026-11-23T12:00:00Z');
  const pruner = (
    backlog: number,
  ): { pruner: LoginAttemptsPruner; calls: { before: Date; limit: number }[] } => {
    const calls: { before: Date; limit: number }[] = [];
    let left = backlog;
    const sessions = {
      pruneAttempts: async (before: Date, limit: number) => {
        calls.push({ before, limit });
        const deleted = Math.min(left, limit);
        left -= deleted;
        return deleted;
      },
    } as unknown as SessionsRepository;
    return { pruner: new LoginAttemptsPruner(sessions, {} as IdentityEnv), calls };
  };

  it('deletes attempts older than twice the throttle window, batch by batch until a short batch', async () => {
    const { pruner: p, calls } = pruner(2 * PRUNE_BATCH_SIZE + 7);
    expect(await p.prune(now)).toBe(2 * PRUNE_BATCH_SIZE + 7);
    expect(calls).toHaveLength(3);
    expect(calls.every((c) => c.limit === PRUNE_BATCH_SIZE)).toBe(true);
    expect(calls[0].before).toEqual(new Date(now.getTime() - 2 * LOGIN_WINDOW_MS));
  });

  it('is bounded per run: a large backlog is left for the next runs', async () => {
    const { pruner: p, calls } = pruner(10 * PRUNE_MAX_BATCHES * PRUNE_BATCH_SIZE);
    expect(await p.prune(now)).toBe(PRUNE_MAX_BATCHES * PRUNE_BATCH_SIZE);
    expect(calls).toHaveLength(PRUNE_MAX_BATCHES);
  });
});
