import { Injectable, Logger } from '@nestjs/common';
import { ImportClaimsRepository } from './import-claims.repository';

/** A claim on one import: valid while the connection it was taken on lives. */
export interface ImportClaim {
  importId: string;
  /** Whether the claim still holds (its connection is up and it was not released). */
  readonly held: boolean;
}

/**
 * Which imports this process runs: a session-level advisory lock per import (`import:<id>`), all
 * taken on one dedicated connection. Two replicas never run one import; when a process dies its
 * connection closes and PostgreSQL releases its claims, so another replica (or the restarted
 * process) resumes the import. If the connection drops while the process lives, every claim is
 * reported lost and the runs stop at their next batch (a batch commits only while the import's
 * `last_row` is where the run left it, so a run that lost its claim can never store a row twice).
 */
@Injectable()
export class ImportClaims {
  private readonly logger = new Logger('ImportClaims');
  private readonly claims = new Map<string, { held: boolean }>();

  constructor(private readonly locks: ImportClaimsRepository) {
    locks.onConnectionLost((error) => this.connectionLost(error));
  }

  /** Claims the import if no process holds it; null when another one does. */
  async tryClaim(importId: string): Promise<ImportClaim | null> {
    if (this.claims.has(importId)) return null;
    if (!(await this.locks.tryLock(importId))) return null;
    const state = { held: true };
    this.claims.set(importId, state);
    return {
      importId,
      get held() {
        return state.held;
      },
    };
  }

  async release(claim: ImportClaim): Promise<void> {
    const state = this.claims.get(claim.importId);
    this.claims.delete(claim.importId);
    if (!state?.held || !this.locks.connected) return;
    state.held = false;
    await this.locks.unlock(claim.importId);
  }

  /** Releases every claim (the worker calls it once its runs stopped). */
  async close(): Promise<void> {
    for (const state of this.claims.values()) state.held = false;
    this.claims.clear();
    await this.locks.close();
  }

  /** The claims connection failed: every claim on it is gone. */
  private connectionLost(error: unknown): void {
    this.logger.warn(
      { err: error },
      'import claims connection lost; running imports stop at their next batch',
    );
    for (const state of this.claims.values()) state.held = false;
    this.claims.clear();
  }
}
