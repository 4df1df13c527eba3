import { randomBytes } from 'node:crypto';
import { dropDatabase, ensureDatabase } from '../src';

/** The run's own database (as @leadflow/platform/testing makes them; that lib depends on this one). */
export async function createTestDatabase(name: string): Promise<string> {
  const url = new URL(process.env['DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/leadflow');
  url.pathname = `/lf_t_${process.env['TEST_RUN_ID'] || 'local'}_${name}_${randomBytes(2).toString('hex')}`;
  await dropDatabase(url.toString());
  await ensureDatabase(url.toString());
  return url.toString();
}
