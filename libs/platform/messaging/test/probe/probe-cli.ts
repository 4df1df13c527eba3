/**
 * Child process of the crash proof (run from dist/ after the build):
 *   produce --url U --schema S --prefix P --brokers B --total N --aggregates A
 *     commits state changes (each with its event) until the schema holds N, relaying as it goes;
 *     resumable: after a kill -9 it continues from what was committed.
 *   consume --url U --schema S --prefix P --brokers B [--die-after-applied N]
 *     applies events until killed; with --die-after-applied, it kills itself (SIGKILL) as soon as
 *     a transaction that brought the schema to N applied events has committed, before the runner
 *     resolves or commits that batch's offsets.
 * Prints one JSON line per progress step on stdout.
 */
import 'reflect-metadata';
import { ProbeService } from './probe.service';

function args(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  const a = args(rest);
  const probe = await ProbeService.open({
    url: a.url,
    schema: a.schema,
    prefix: a.prefix,
    brokers: a.brokers,
    pollIntervalMs: 100,
  });
  if (mode === 'produce') {
    probe.startRelay();
    const total = Number(a.total);
    const aggregates = Number(a.aggregates);
    let committed = (await probe.stats()).committed;
    const workers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = w; committed < total; i += 4) {
        committed++;
        await probe.increment(`agg-${i % aggregates}`, (i % 97) + 1);
        if (committed % 500 === 0) process.stdout.write(`${JSON.stringify({ committed })}\n`);
      }
    });
    await Promise.all(workers);
    process.stdout.write(`${JSON.stringify({ done: true })}\n`);
    // keep relaying until killed or the backlog is empty
    for (;;) {
      const [row] = (await probe.dataSource.query(
        `SELECT count(*)::int AS n FROM "${a.schema}".outbox WHERE sent_at IS NULL`,
      )) as { n: number }[];
      if (row.n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await probe.close();
    process.stdout.write(`${JSON.stringify({ drained: true })}\n`);
  } else if (mode === 'consume') {
    if (a['die-after-applied']) dieAfterApplied(probe, a.schema, Number(a['die-after-applied']));
    await probe.consume();
    process.stdout.write(`${JSON.stringify({ consuming: true })}\n`);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
}

function dieAfterApplied(probe: ProbeService, schema: string, limit: number): void {
  const dataSource = probe.dataSource;
  const transaction = dataSource.transaction.bind(dataSource) as (...args: unknown[]) => Promise<unknown>;
  Object.assign(dataSource, {
    transaction: async (...args: unknown[]): Promise<unknown> => {
      const result = await transaction(...args);
      const [row] = (await dataSource.query(`SELECT count::int AS n FROM "${schema}".totals`)) as {
        n: number;
      }[];
      if (row.n >= limit) {
        process.stdout.write(`${JSON.stringify({ dying: row.n })}\n`);
        process.kill(process.pid, 'SIGKILL');
        await new Promise(() => undefined); // nothing after the commit may run
      }
      return result;
    },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
