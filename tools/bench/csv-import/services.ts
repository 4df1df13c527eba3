import { ApiClient, eventually } from '@leadflow/platform/testing';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** A service started by the bench: its process and what it printed. */
export interface ServiceProcess {
  child: ChildProcess;
  output(): string;
  /** Lines of stdout that are JSON objects (the service's logs). */
  jsonLines(): Record<string, unknown>[];
  exited: Promise<void>;
}

function spawnNode(script: string, nodeArgs: string[], env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  return {
    child,
    output: () => output,
    jsonLines: () =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    exited,
  };
}

const DIST = resolve(__dirname, '../../../apps');

/**
 * Starts a built service (dist/apps/<name>/src/main.js) and waits until it answers /readyz and
 * has reached Kafka (its `kafka` detail: readiness itself does not wait for the broker).
 */
export async function startService(
  name: 'identity' | 'ingestion',
  port: number,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<ServiceProcess> {
  const run = spawnNode(join(DIST, name, 'src/main.js'), nodeArgs, env);
  await eventually(
    async () => {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      if (res?.status !== 200) return res?.status;
      const body = (await res.json()) as { details?: { kafka?: { status?: string } } };
      return body.details?.kafka?.status === 'up' ? 200 : 'kafka not reached yet';
    },
    (status) => status === 200 || run.child.exitCode !== null,
    { timeoutMs: 90_000, intervalMs: 200, what: `${name} to be ready` },
  );
  if (run.child.exitCode !== null) throw new Error(`${name} exited:\n${run.output()}`);
  return run;
}

/** Stops a service (SIGTERM, then SIGKILL after 10 s). */
export async function stopService(run: ServiceProcess): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return;
  const killer = setTimeout(() => run.child.kill('SIGKILL'), 10_000);
  run.child.kill('SIGTERM');
  await run.exited;
  clearTimeout(killer);
}

/** Peak and current resident memory of a process, in MB (Linux /proc). */
export function memoryOf(pid: number): { peakMb: number; currentMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peakMb: kb('VmHWM') / 1024, currentMb: kb('VmRSS') / 1024 };
  } catch {
    return null;
  }
}

/** A JSON call to a service (the platform's test client, addressed by a full URL). */
export async function call<T>(
  url: string,
  options: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T; text: string }> {
  const { origin, pathname, search } = new URL(url);
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  return new ApiClient(origin).call<T>(method, `${pathname}${search}`, options);
}
