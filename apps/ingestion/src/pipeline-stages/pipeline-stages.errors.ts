import type { ErrorSpec } from '@leadflow/platform/errors';
import { defineErrors } from '@leadflow/platform/errors';

export enum PipelineStageErrorCode {
  DuplicateName = 'duplicate_stage_name',
}

export const PipelineStageError = defineErrors('PipelineStageError', {
  [PipelineStageErrorCode.DuplicateName]: {
    kind: 'conflict',
    message: ({ name }: { name: string }) => `the workspace already has a stage named "${name}"`,
    fieldError: { field: 'name', rule: 'unique' },
  },
} satisfies Record<PipelineStageErrorCode, ErrorSpec>);
export type PipelineStageError = InstanceType<typeof PipelineStageError>;
