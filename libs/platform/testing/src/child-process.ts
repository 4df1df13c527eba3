import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';

export interface StartedProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Lines of stdout that are JSON objects. */
  jsonLines(): Record<string, unknown>[];
  /** Sends a signal and remembers when, for `exited.msAfterSignal`. */
  signal(signal: NodeJS.Signals): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; msAfterSignal: number }>;
}

/** Runs a Node script as a child process of the test (a service, a CLI, the platform itself). */
export function startProcess(
  script: string,
  args: string[] = [],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): StartedProcess {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let signalledAt = 0;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; msAfterSignal: number }>(
    (done) =>
      child.on('exit', (code, signal) =>
        done({ code, signal, msAfterSignal: signalledAt ? Date.now() - signalledAt : 0 }),
      ),
  );
  return {
    child,
    output: () => output,
    jsonLines: () =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    signal(signal) {
      signalledAt = Date.now();
      child.kill(signal);
    },
    exited,
  };
}
