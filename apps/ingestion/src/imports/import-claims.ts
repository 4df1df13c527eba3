import { Injectable, Logger } from '@nestjs/common';
import { Client } from 'pg';
import { IngestionEnv } from '../config/env.schema';

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
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private readonly claims = new Map<string, { held: boolean }>();

  constructor(private readonly env: IngestionEnv) {}

  /** Claims the import if no process holds it; null when another one does. */
  async tryClaim(importId: string): Promise<ImportClaim | null> {
    if (this.claims.has(importId)) return null;
    const client = await this.connection();
    const { rows } = await client.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok',
      [`import:${importId}`],
    );
    if (!rows[0]?.ok) return null;
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
    if (!state?.held || !this.client) return;
    state.held = false;
    await this.client
      .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`import:${claim.importId}`])
      .catch((error: unknown) => this.dropConnection(error));
  }

  /** Releases every claim (the worker calls it once its runs stopped). */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    for (const state of this.claims.values()) state.held = false;
    this.claims.clear();
    await client?.end().catch(() => undefined);
  }

  private connection(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new Client({
        connectionString: this.env.DATABASE_URL,
        application_name: 'ingestion-imports',
      });
      client.on('error', (error) => this.dropConnection(error, client));
      try {
        await client.connect();
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      this.client = client;
      return client;
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** The claims connection failed: every claim on it is gone. */
  private dropConnection(error: unknown, client = this.client): void {
    if (!client || client !== this.client) return;
    this.logger.warn(
      { err: error },
      'import claims connection lost; running imports stop at their next batch',
    );
    this.client = undefined;
    for (const state of this.claims.values()) state.held = false;
    this.claims.clear();
    client.end().catch(() => undefined);
  }
}
