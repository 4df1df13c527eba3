import { InvalidCursorError } from '@leadflow/platform/persistence';
import { decodeStageCursor, encodeStageCursor, planInsert, planMove } from './stage-order';

/** Applies a plan to positions of stages `a`..: the moved stage takes its place, the others shift. */
function apply(
  positions: Record<string, number>,
  moved: string,
  plan: ReturnType<typeof planMove>,
): string[] {
  const next: Record<string, number> = {};
  for (const [id, p] of Object.entries(positions)) {
    const shifted = plan.shift && p >= plan.shift.from && p <= plan.shift.to ? p + plan.shift.delta : p;
    next[id] = id === moved ? plan.position : shifted;
  }
  return Object.entries(next)
    .sort((x, y) => x[1] - y[1])
    .map(([id]) => id);
}

describe('pipeline stage order', () => {
  it('puts a new stage last by default, or at a position with the rest moving down', () => {
    expect(planInsert(undefined, 0)).toEqual({ position: 1, shift: null });
    expect(planInsert(undefined, 3)).toEqual({ position: 4, shift: null });
    expect(planInsert(2, 3)).toEqual({ position: 2, shift: { from: 2, to: 3, delta: 1 } });
    expect(planInsert(99, 3)).toEqual({ position: 4, shift: null });
  });

  it('moves a stage up or down and keeps the order of the others', () => {
    const positions = { a: 1, b: 2, c: 3, d: 4 };
    const up = planMove(4, 2, 4);
    expect(up).toEqual({ position: 2, shift: { from: 2, to: 3, delta: 1 } });
    expect(apply({ ...positions }, 'd', up)).toEqual(['a', 'd', 'b', 'c']);
    const down = planMove(1, 3, 4);
    expect(down).toEqual({ position: 3, shift: { from: 2, to: 3, delta: -1 } });
    expect(apply({ ...positions }, 'a', down)).toEqual(['b', 'c', 'a', 'd']);
    expect(planMove(2, 2, 4)).toEqual({ position: 2, shift: null });
    expect(planMove(2, 50, 4)).toEqual({ position: 4, shift: { from: 3, to: 4, delta: -1 } });
  });

  it('round-trips its cursor and refuses foreign ones, so PostgreSQL never sees a bad uuid or integer', () => {
    const workspaceId = '0190f0a4-1111-7000-8000-000000000001';
    const id = '0190f0a4-1111-7000-8000-000000000002';
    const cursor = { workspaceId, position: 3, id };
    expect(decodeStageCursor(encodeStageCursor(cursor))).toEqual(cursor);
    const foreign = [
      'bogus',
      [workspaceId, '3', id],
      ['w', 3, id],
      [workspaceId, 3, 'i'],
      [workspaceId, 2 ** 31, id],
      [workspaceId, 1.5, id],
      [workspaceId, 3],
    ];
    for (const value of foreign) {
      const encoded =
        typeof value === 'string' ? value : Buffer.from(JSON.stringify(value)).toString('base64url');
      expect(() => decodeStageCursor(encoded)).toThrow(InvalidCursorError);
    }
  });
});
