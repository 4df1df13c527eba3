import type { LeadStatus } from '@leadflow/contracts';
import type { ErrorSpec } from '@leadflow/platform/errors';
import { defineErrors } from '@leadflow/platform/errors';

export enum LeadErrorCode {
  InvalidStatusTransition = 'invalid_status_transition',
  ReasonRequired = 'status_reason_required',
  UnknownStage = 'unknown_stage',
}

interface Transition {
  from: LeadStatus;
  to: LeadStatus;
  allowed: readonly LeadStatus[];
}

export const LeadError = defineErrors('LeadError', {
  [LeadErrorCode.InvalidStatusTransition]: {
    kind: 'invalid_state',
    message: ({ from, to }: Transition) => `a ${from} lead cannot become ${to}`,
    options: ({ from, to, allowed }: Transition) => ({ details: { from, to, allowed } }),
  },
  [LeadErrorCode.ReasonRequired]: {
    kind: 'validation',
    message: ({ to }: { to: LeadStatus }) => `a reason is required to mark a lead ${to}`,
    fieldError: { field: 'statusReason', rule: 'required' },
  },
  [LeadErrorCode.UnknownStage]: {
    kind: 'validation',
    message: ({ stageId }: { stageId: string }) =>
      `${stageId} is not an active pipeline stage of the lead's workspace`,
    fieldError: { field: 'stageId', rule: 'stage_exists' },
  },
} satisfies Record<LeadErrorCode, ErrorSpec>);
export type LeadError = InstanceType<typeof LeadError>;
