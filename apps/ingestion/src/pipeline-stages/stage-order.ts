import type { KeysetKey } from '@leadflow/platform/persistence';
import { InvalidCursorError, uuidPattern } from '@leadflow/platform/persistence';

/** The largest value of a PostgreSQL `integer` (a stage's position). */
const INT4_MAX = 2_147_483_647;

/** Stages of one workspace whose position moves by `delta` (both ends included). */
export interface PositionShift {
  from: number;
  to: number;
  delta: 1 | -1;
}

export interface PositionPlan {
  position: number;
  shift: PositionShift | null;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

/**
 * Where a new stage goes among stages whose highest position is `maxPosition`: at `requested`
 * (clamped to 1..last) with the stages from there on moving down one, or last by default.
 */
export function planInsert(requested: number | undefined, maxPosition: number): PositionPlan {
  const last = maxPosition + 1;
  const position = requested === undefined ? last : clamp(requested, 1, last);
  return { position, shift: position < last ? { from: position, to: maxPosition, delta: 1 } : null };
}

/**
 * Moving a stage from `current` to `requested` (clamped to 1..maxPosition): the stages in between
 * close the gap it leaves and open the one it takes, so the order of the others is kept.
 */
export function planMove(current: number, requested: number, maxPosition: number): PositionPlan {
  const position = clamp(requested, 1, Math.max(maxPosition, current));
  if (position === current) return { position, shift: null };
  return position < current
    ? { position, shift: { from: position, to: current - 1, delta: 1 } }
    : { position, shift: { from: current + 1, to: position, delta: -1 } };
}

/** Position after the last stage of a page, in the list's order (workspace, position, id). */
export interface StageCursor {
  workspaceId: string;
  position: number;
  id: string;
}

export function encodeStageCursor(c: StageCursor): string {
  return Buffer.from(JSON.stringify([c.workspaceId, c.position, c.id])).toString('base64url');
}

export function decodeStageCursor(cursor: string): StageCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 3 &&
      typeof parsed[0] === 'string' &&
      uuidPattern.test(parsed[0]) &&
      Number.isInteger(parsed[1]) &&
      Math.abs(parsed[1] as number) <= INT4_MAX &&
      typeof parsed[2] === 'string' &&
      uuidPattern.test(parsed[2])
    ) {
      return { workspaceId: parsed[0], position: parsed[1] as number, id: parsed[2] };
    }
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}

/** The stage list's keyset key (workspace, position, id), for `keysetPage`. */
export const stageKey: KeysetKey<StageCursor> = {
  columns: ['workspaceId', 'position'],
  encode: encodeStageCursor,
  decode: (cursor) => {
    const c = decodeStageCursor(cursor);
    return [c.workspaceId, c.position, c.id];
  },
};
