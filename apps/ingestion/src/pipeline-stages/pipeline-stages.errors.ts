import { DomainError } from '@leadflow/platform/errors';

export enum PipelineStageErrorCode {
  DuplicateName = 'duplicate_stage_name',
}

export class DuplicateStageNameError extends DomainError {
  constructor(name: string) {
    const message = `the workspace already has a stage named "${name}"`;
    super('conflict', PipelineStageErrorCode.DuplicateName, message, {
      fieldErrors: [{ field: 'name', rule: 'unique', message }],
    });
  }
}
