import { Injectable } from '@nestjs/common';
import { Client } from 'pg';
import { IngestionEnv } from '../config/env.schema';

/**
 * The dedicated connection import claims are taken on: session-level advisory locks
 * (`import:<id>`) that live as long as it does. When it fails, the listener given to
 * `onConnectionLost` hears it (every lock on it is gone) and the next claim opens a new one.
 */
@Injectable()
export class ImportClaimsRepository {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private lost: (error: unknown) => void = () => undefined;

  constructor(private readonly env: IngestionEnv) {}

  /** Who hears that the connection (and so every lock on it) was lost. */
  onConnectionLost(listener: (error: unknown) => void): void {
    this.lost = listener;
  }

  /** Whether the connection is up (locks taken on it still hold). */
  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Takes the import's lock if no session holds it. */
  async tryLock(importId: string): Promise<boolean> {
    const client = await this.connection();
    const { rows } = await client.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok',
      [`import:${importId}`],
    );
    return rows[0]?.ok === true;
  }

  /** Releases the import's lock; a failure drops the connection (and every lock on it). */
  async unlock(importId: string): Promise<void> {
    if (!this.client) return;
    await this.client
      .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`import:${importId}`])
      .catch((error: unknown) => this.drop(error));
  }

  /** Closes the connection: PostgreSQL releases every lock on it. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private connection(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new Client({
        connectionString: this.env.DATABASE_URL,
        application_name: 'ingestion-imports',
      });
      client.on('error', (error) => this.drop(error, client));
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

  private drop(error: unknown, client = this.client): void {
    if (!client || client !== this.client) return;
    this.lost(error);
    this.client = undefined;
    client.end().catch(() => undefined);
  }
}
