import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Injectable, Logger } from '@nestjs/common';
import { access } from 'node:fs/promises';
import type { ImportClaim } from './import-claims';
import { ImportClaims } from './import-claims';
import { ImportProcessor } from './import-processor';
import { ImportsRepository } from './imports.repository';

/** Imports one process runs at the same time (a small one need not wait for a large one). */
export const MAX_CONCURRENT_IMPORTS = 2;
/** How often the worker looks for queued or interrupted imports (it is also woken on upload). */
const POLL_INTERVAL_MS = 1000;

/**
 * The import worker of the ingestion process: started when the application is up, stopped on
 * shutdown (a running import stops after its current batch and resumes on the next start). It
 * looks for queued and running imports, claims those no other process holds (ImportClaims) and
 * runs them with ImportProcessor. An import whose file this process cannot see (IMPORT_DIR not
 * shared between replicas) is left to the replica that received it.
 */
@Injectable()
export class ImportWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ImportWorker');
  private readonly runs = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private pendingWake = false;

  constructor(
    private readonly imports: ImportsRepository,
    private readonly claims: ImportClaims,
    private readonly processor: ImportProcessor,
  ) {}

  onApplicationBootstrap(): void {
    this.loop = this.poll();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    this.wake();
    await this.loop;
    await Promise.allSettled([...this.runs.values()]);
    await this.claims.close();
  }

  /** Looks for work now (an import was just uploaded, or a run ended). */
  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.pendingWake = true;
  }

  private async poll(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      try {
        await this.claimWhatFits();
      } catch (error) {
        this.logger.warn({ err: error }, 'could not look for imports to run');
      }
      await this.idle();
    }
  }

  private idle(): Promise<void> {
    if (this.pendingWake || this.stopping.signal.aborted) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, POLL_INTERVAL_MS);
      this.wakeUp = done;
    });
  }

  private async claimWhatFits(): Promise<void> {
    if (this.runs.size >= MAX_CONCURRENT_IMPORTS) return;
    const candidates = await this.imports.unfinished(MAX_CONCURRENT_IMPORTS * 10);
    for (const candidate of candidates) {
      if (this.runs.size >= MAX_CONCURRENT_IMPORTS || this.stopping.signal.aborted) return;
      if (this.runs.has(candidate.id)) continue;
      if (
        !(await access(candidate.filePath).then(
          () => true,
          () => false,
        ))
      )
        continue;
      const claim = await this.claims.tryClaim(candidate.id);
      if (claim) this.start(claim);
    }
  }

  private start(claim: ImportClaim): void {
    const run = this.processor
      .run(claim, this.stopping.signal)
      .catch((error: unknown) =>
        this.logger.error({ err: error, importId: claim.importId }, 'import run failed'),
      )
      .finally(async () => {
        await this.claims.release(claim).catch(() => undefined);
        this.runs.delete(claim.importId);
        if (!this.stopping.signal.aborted) this.wake();
      });
    this.runs.set(claim.importId, run);
  }
}
