import type { IngestionEnv } from '../config/env.schema';
import { IntakeRequestsPruner, PRUNE_BATCH_SIZE, PRUNE_MAX_BATCHES } from './intake-requests.pruner';
import type { IntakeRepository } from './intake.repository';

describe('request log pruner', () => {
  const now = new Date('2026-11-23T12:00:00Z');
  const env = { INTAKE_REQUEST_BODY_RETENTION_DAYS: 30, INTAKE_REQUEST_RETENTION_DAYS: 400 } as IngestionEnv;
  const pruner = (bodies: number, rows: number) => {
    const calls: { kind: 'bodies' | 'rows'; before: Date; limit: number }[] = [];
    const left = { bodies, rows };
    const take = (kind: 'bodies' | 'rows') => async (before: Date, limit: number) => {
      calls.push({ kind, before, limit });
      const n = Math.min(left[kind], limit);
      left[kind] -= n;
      return n;
    };
    const requests = {
      dropBodiesBefore: take('bodies'),
      deleteBefore: take('rows'),
    } as unknown as IntakeRepository;
    return { pruner: new IntakeRequestsPruner(requests, env), calls };
  };

  it('drops bodies past their retention and rows past theirs, batch by batch until a short batch', async () => {
    const { pruner: p, calls } = pruner(2 * PRUNE_BATCH_SIZE + 7, 3);
    expect(await p.prune(now)).toEqual({ bodies: 2 * PRUNE_BATCH_SIZE + 7, rows: 3 });
    expect(calls.filter((c) => c.kind === 'bodies')).toHaveLength(3);
    expect(calls.every((c) => c.limit === PRUNE_BATCH_SIZE)).toBe(true);
    expect(calls.find((c) => c.kind === 'bodies')?.before).toEqual(new Date('2026-10-24T12:00:00Z'));
    expect(calls.find((c) => c.kind === 'rows')?.before).toEqual(new Date(now.getTime() - 400 * 86_400_000));
  });

  it('is bounded per run: a large backlog is left for the next runs', async () => {
    const { pruner: p, calls } = pruner(10 * PRUNE_MAX_BATCHES * PRUNE_BATCH_SIZE, 0);
    expect((await p.prune(now)).bodies).toBe(PRUNE_MAX_BATCHES * PRUNE_BATCH_SIZE);
    expect(calls.filter((c) => c.kind === 'bodies')).toHaveLength(PRUNE_MAX_BATCHES);
  });
});
