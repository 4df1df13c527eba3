import { DomainError } from '@leadflow/platform/errors';

export enum WorkspaceErrorCode {
  WorkspaceLimited = 'workspace_limited',
}

export class WorkspaceLimitedError extends DomainError {
  constructor() {
    super(
      'forbidden',
      WorkspaceErrorCode.WorkspaceLimited,
      'A principal limited to some workspaces cannot create workspaces',
    );
  }
}
