import type { LeadStatus } from '@leadflow/contracts';
import { DomainError } from '@leadflow/platform/errors';

export enum LeadErrorCode {
  InvalidStatusTransition = 'invalid_status_transition',
  ReasonRequired = 'status_reason_required',
  UnknownStage = 'unknown_stage',
}

export class InvalidStatusTransitionError extends DomainError {
  constructor(from: LeadStatus, to: LeadStatus, allowed: readonly LeadStatus[]) {
    super('invalid_state', LeadErrorCode.InvalidStatusTransition, `a ${from} lead cannot become ${to}`, {
      details: { from, to, allowed },
    });
  }
}

export class StatusReasonRequiredError extends DomainError {
  constructor(to: LeadStatus) {
    const message = `a reason is required to mark a lead ${to}`;
    super('validation', LeadErrorCode.ReasonRequired, message, {
      fieldErrors: [{ field: 'statusReason', rule: 'required', message }],
    });
  }
}

export class UnknownStageError extends DomainError {
  constructor(stageId: string) {
    const message = `${stageId} is not an active pipeline stage of the lead's workspace`;
    super('validation', LeadErrorCode.UnknownStage, message, {
      fieldErrors: [{ field: 'stageId', rule: 'stage_exists', message }],
    });
  }
}
