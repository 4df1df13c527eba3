import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Injectable, Logger } from '@nestjs/common';
import { IdentityEnv } from '../config/env.schema';
import { loginAttemptsExpiredBefore } from './login-throttle';
import { SessionsRepository } from './sessions.repository';

/** Rows one DELETE removes at most, and DELETEs one run makes at most (the rest waits for the next run). */
export const PRUNE_BATCH_SIZE = 5000;
export const PRUNE_MAX_BATCHES = 20;

/**
 * Keeps `login_attempts` small: every LOGIN_ATTEMPT_PRUNE_INTERVAL_SECONDS it deletes attempts older
 * than twice the throttle window, in bounded batches. Every replica runs it; they skip each other's
 * rows. A failed run is logged and the next one tries again (nothing depends on it being prompt).
 */
@Injectable()
export class LoginAttemptsPruner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('LoginAttemptsPruner');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly env: IdentityEnv,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One run: deletes expired attempts batch by batch; answers how many it deleted. */
  async prune(now = new Date()): Promise<number> {
    const before = loginAttemptsExpiredBefore(now);
    let total = 0;
    for (let batch = 0; batch < PRUNE_MAX_BATCHES && !this.stopped; batch++) {
      const deleted = await this.sessions.pruneAttempts(before, PRUNE_BATCH_SIZE);
      total += deleted;
      if (deleted < PRUNE_BATCH_SIZE) break;
    }
    return total;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.prune()
        .then((deleted) => {
          if (deleted > 0) this.logger.log(`pruned ${deleted} expired login attempts`);
        })
        .catch((error: unknown) => this.logger.warn({ err: error }, 'pruning login attempts failed'))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.env.LOGIN_ATTEMPT_PRUNE_INTERVAL_SECONDS * 1000);
    this.timer.unref();
  }
}
