import { DomainError } from '@leadflow/platform/errors';

export enum ExportErrorCode {
  InvalidRange = 'invalid_export_range',
}

export class InvalidExportRangeError extends DomainError {
  constructor() {
    const message = 'createdFrom must be before createdTo';
    super('validation', ExportErrorCode.InvalidRange, message, {
      fieldErrors: [{ field: 'createdFrom', rule: 'range', message }],
    });
  }
}
