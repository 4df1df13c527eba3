import { DomainError } from '@leadflow/platform/errors';

export enum DirectoryErrorCode {
  UnknownWorkspace = 'unknown_workspace',
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
