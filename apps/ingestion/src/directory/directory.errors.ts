import type { ErrorSpec } from '@leadflow/platform/errors';
import { defineErrors } from '@leadflow/platform/errors';

export enum DirectoryErrorCode {
  UnknownWorkspace = 'unknown_workspace',
  InvalidAssignee = 'invalid_assignee',
}

/** Why a user cannot be given a lead of a workspace (rule names the check that failed). */
export type AssigneeRefusal = 'member_exists' | 'member_active' | 'member_of_workspace';

const assigneeMessages: Record<AssigneeRefusal, (id: string) => string> = {
  member_exists: (id) => `user ${id} is not a member of this organization`,
  member_active: (id) => `user ${id} is deactivated`,
  member_of_workspace: (id) => `user ${id} has no access to the lead's workspace`,
};

interface WorkspaceRef {
  field: string;
  id: string;
  archived: boolean;
}

interface AssigneeRef {
  field: string;
  id: string;
  rule: AssigneeRefusal;
}

export const DirectoryError = defineErrors('DirectoryError', {
  [DirectoryErrorCode.UnknownWorkspace]: {
    kind: 'validation',
    message: ({ id, archived }: WorkspaceRef) =>
      archived ? `workspace ${id} is archived` : `workspace ${id} does not exist in this organization`,
    options: ({ field, archived }: WorkspaceRef, message) => ({
      fieldErrors: [{ field, rule: archived ? 'workspace_archived' : 'workspace_exists', message }],
    }),
  },
  [DirectoryErrorCode.InvalidAssignee]: {
    kind: 'validation',
    message: ({ id, rule }: AssigneeRef) => assigneeMessages[rule](id),
    options: ({ field, rule }: AssigneeRef, message) => ({ fieldErrors: [{ field, rule, message }] }),
  },
} satisfies Record<DirectoryErrorCode, ErrorSpec>);
export type DirectoryError = InstanceType<typeof DirectoryError>;
