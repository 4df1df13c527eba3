/**
 * Child process of the crash proof (run from dist/ after the build):
 *   produce --url U --schema S --prefix P --brokers B --total N --aggregates A
 *     commits state changes (each with its event) until the schema holds N, relaying as it goes;
 *     resumable: after a kill -9 it continues from what was committed.
 *   consume --url U --schema S --prefix P --brokers B
 *     applies events until killed.
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
    probe.consumers.register('applier', [probe.applier()]);
    await probe.consumers.start();
    process.stdout.write(`${JSON.stringify({ consuming: true })}\n`);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
