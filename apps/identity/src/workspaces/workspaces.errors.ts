import type { ErrorSpec } from '@leadflow/platform/errors';
import { defineErrors } from '@leadflow/platform/errors';

export enum WorkspaceErrorCode {
  WorkspaceLimited = 'workspace_limited',
}

export const WorkspaceError = defineErrors('WorkspaceError', {
  [WorkspaceErrorCode.WorkspaceLimited]: {
    kind: 'forbidden',
    message: 'A principal limited to some workspaces cannot create workspaces',
  },
} satisfies Record<WorkspaceErrorCode, ErrorSpec>);
export type WorkspaceError = InstanceType<typeof WorkspaceError>;
