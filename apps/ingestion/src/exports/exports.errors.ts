import type { ErrorSpec } from '@leadflow/platform/errors';
import { defineErrors } from '@leadflow/platform/errors';

export enum ExportErrorCode {
  InvalidRange = 'invalid_export_range',
}

export const ExportError = defineErrors('ExportError', {
  [ExportErrorCode.InvalidRange]: {
    kind: 'validation',
    message: 'createdFrom must be before createdTo',
    fieldError: { field: 'createdFrom', rule: 'range' },
  },
} satisfies Record<ExportErrorCode, ErrorSpec>);
export type ExportError = InstanceType<typeof ExportError>;
