import type { Plan } from '@leadflow/contracts';
import { DomainError } from '@leadflow/platform/errors';

export enum PlanErrorCode {
  RequestPending = 'plan_request_pending',
  RequestDecided = 'plan_request_decided',
  PlanUnchanged = 'plan_unchanged',
}

/** The organization already has a pending request: one at a time (409). */
export class PlanRequestPendingError extends DomainError {
  constructor(pendingId: string) {
    super(
      'conflict',
      PlanErrorCode.RequestPending,
      'The organization already has a pending plan request; wait for the operator to decide it',
      { details: { pendingRequestId: pendingId } },
    );
  }
}

/** Approving or declining a request an operator has already decided (409). */
export class PlanRequestDecidedError extends DomainError {
  constructor(id: string, status: string) {
    super('conflict', PlanErrorCode.RequestDecided, `Plan request ${id} is already ${status}`, {
      details: { planRequestId: id, planRequestStatus: status },
    });
  }
}

/** Requesting the plan the organization is already on (422 naming `plan`). */
export class PlanUnchangedError extends DomainError {
  constructor(plan: Plan) {
    super('validation', PlanErrorCode.PlanUnchanged, `The organization is already on the ${plan} plan`, {
      fieldErrors: [
        {
          field: 'plan',
          rule: 'differsFromCurrentPlan',
          message: `plan must differ from the current plan (${plan})`,
        },
      ],
    });
  }
}
