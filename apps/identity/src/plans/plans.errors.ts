import type { Plan } from '@leadflow/contracts';
import type { ErrorSpec } from '@leadflow/platform/errors';
import { defineErrors } from '@leadflow/platform/errors';

export enum PlanErrorCode {
  RequestPending = 'plan_request_pending',
  RequestDecided = 'plan_request_decided',
  PlanUnchanged = 'plan_unchanged',
}

export const PlanError = defineErrors('PlanError', {
  /** The organization already has a pending request: one at a time (409). */
  [PlanErrorCode.RequestPending]: {
    kind: 'conflict',
    message: 'The organization already has a pending plan request; wait for the operator to decide it',
    options: ({ pendingRequestId }: { pendingRequestId: string }) => ({ details: { pendingRequestId } }),
  },
  /** Approving or declining a request an operator has already decided (409). */
  [PlanErrorCode.RequestDecided]: {
    kind: 'conflict',
    message: ({ requestId, status }: { requestId: string; status: string }) =>
      `Plan request ${requestId} is already ${status}`,
    options: ({ requestId, status }: { requestId: string; status: string }) => ({
      details: { planRequestId: requestId, planRequestStatus: status },
    }),
  },
  /** Requesting the plan the organization is already on (422 naming `plan`). */
  [PlanErrorCode.PlanUnchanged]: {
    kind: 'validation',
    message: ({ plan }: { plan: Plan }) => `The organization is already on the ${plan} plan`,
    options: ({ plan }: { plan: Plan }) => ({
      fieldErrors: [
        {
          field: 'plan',
          rule: 'differsFromCurrentPlan',
          message: `plan must differ from the current plan (${plan})`,
        },
      ],
    }),
  },
} satisfies Record<PlanErrorCode, ErrorSpec>);
export type PlanError = InstanceType<typeof PlanError>;
