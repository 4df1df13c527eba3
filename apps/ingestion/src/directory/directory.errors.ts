import { DomainError } from '@leadflow/platform/errors';

export enum DirectoryErrorCode {
  UnknownWorkspace = 'unknown_workspace',
  InvalidAssignee = 'invalid_assignee',
}

export class UnknownWorkspaceError extends DomainError {
  constructor(field: string, id: string, archived: boolean) {
    const message = archived
      ? `workspace ${id} is archived`
      : `workspace ${id} does not exist in this organization`;
    super('validation', DirectoryErrorCode.UnknownWorkspace, message, {
      fieldErrors: [{ field, rule: archived ? 'workspace_archived' : 'workspace_exists', message }],
    });
  }
}

/** Why a user cannot be given a lead of a workspace (rule names the check that failed). */
export type AssigneeRefusal = 'member_exists' | 'member_active' | 'member_of_workspace';

const assigneeMessages: Record<AssigneeRefusal, (id: string) => string> = {
  member_exists: (id) => `user ${id} is not a member of this organization`,
  member_active: (id) => `user ${id} is deactivated`,
  member_of_workspace: (id) => `user ${id} has no access to the lead's workspace`,
};

export class InvalidAssigneeError extends DomainError {
  constructor(field: string, id: string, rule: AssigneeRefusal) {
    const message = assigneeMessages[rule](id);
    super('validation', DirectoryErrorCode.InvalidAssignee, message, {
      fieldErrors: [{ field, rule, message }],
    });
  }
}
