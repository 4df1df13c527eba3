import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Injectable, Logger } from '@nestjs/common';
import { IngestionEnv } from '../config/env.schema';
import { IntakeRepository } from './intake.repository';

/** Rows one statement changes at most, and statements one run makes at most (the rest waits for the next run). */
export const PRUNE_BATCH_SIZE = 5000;
export const PRUNE_MAX_BATCHES = 20;

const DAY_MS = 24 * 3600_000;

/**
 * Keeps the request log bounded: every INTAKE_REQUEST_PRUNE_INTERVAL_SECONDS it drops the bodies of
 * posts older than INTAKE_REQUEST_BODY_RETENTION_DAYS (the rows stay: outcome, codes and usage
 * counts are small and still useful) and deletes rows older than INTAKE_REQUEST_RETENTION_DAYS, in
 * bounded batches. Every replica runs it; they skip each other's rows. A failed run is logged and
 * the next one tries again.
 */
@Injectable()
export class IntakeRequestsPruner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('IntakeRequestsPruner');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly requests: IntakeRepository,
    private readonly env: IngestionEnv,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One run; answers how many bodies it dropped and rows it deleted. */
  async prune(now = new Date()): Promise<{ bodies: number; rows: number }> {
    const bodiesBefore = new Date(now.getTime() - this.env.INTAKE_REQUEST_BODY_RETENTION_DAYS * DAY_MS);
    const rowsBefore = new Date(now.getTime() - this.env.INTAKE_REQUEST_RETENTION_DAYS * DAY_MS);
    return {
      rows: await this.inBatches((limit) => this.requests.deleteBefore(rowsBefore, limit)),
      bodies: await this.inBatches((limit) => this.requests.dropBodiesBefore(bodiesBefore, limit)),
    };
  }

  private async inBatches(step: (limit: number) => Promise<number>): Promise<number> {
    let total = 0;
    for (let batch = 0; batch < PRUNE_MAX_BATCHES && !this.stopped; batch++) {
      const changed = await step(PRUNE_BATCH_SIZE);
      total += changed;
      if (changed < PRUNE_BATCH_SIZE) break;
    }
    return total;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.prune()
        .then(({ bodies, rows }) => {
          if (bodies + rows > 0)
            this.logger.log(`request log: dropped ${bodies} bodies, deleted ${rows} rows`);
        })
        .catch((error: unknown) => this.logger.warn({ err: error }, 'pruning the request log failed'))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.env.INTAKE_REQUEST_PRUNE_INTERVAL_SECONDS * 1000);
    this.timer.unref();
  }
}
