import { defineEvent } from '@leadflow/contracts';
import { IsInt, Min } from 'class-validator';

/** Test-only event: one aggregate's counter moved to `version`, adding `amount` to its total. */
export class ProbeIncrementedPayload {
  @IsInt()
  @Min(1)
  version!: number;

  @IsInt()
  amount!: number;
}

export const ProbeIncremented = defineEvent({
  type: 'probe.incremented',
  version: 1,
  topic: 'probe.counters.v1',
  payload: ProbeIncrementedPayload,
});

export class ProbeResetPayload {
  @IsInt()
  @Min(0)
  to!: number;
}

/** Test-only event on the same topic: a counter set back. */
export const ProbeReset = defineEvent({
  type: 'probe.reset',
  version: 1,
  topic: ProbeIncremented.topic,
  payload: ProbeResetPayload,
});
