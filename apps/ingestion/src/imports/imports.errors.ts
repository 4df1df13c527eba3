import { DomainError } from '@leadflow/platform/errors';

export enum ImportErrorCode {
  NotMultipart = 'not_multipart',
  MalformedUpload = 'malformed_upload',
  InvalidUpload = 'invalid_upload',
  FileTooLarge = 'file_too_large',
  NotCsv = 'not_csv',
  NoHeaderRow = 'no_header_row',
  MalformedCsv = 'malformed_csv',
  InvalidColumnMapping = 'invalid_column_mapping',
  WebhookArchived = 'webhook_archived',
  ImportFinished = 'import_finished',
}

/** Why an import ended `failed`: the import's `errorCode`. */
export enum ImportFailureCode {
  /** The organization's monthly lead quota was used up; the rows after `lastRow` were not imported. */
  QuotaExceeded = 'quota_exceeded',
  /** The file could not be read past some row (the rows before it are kept). */
  MalformedCsv = 'malformed_csv',
  Internal = 'internal_error',
}

type FieldErrors = { field: string; rule: string; message: string }[];

export class NotMultipartError extends DomainError {
  constructor(contentType: string) {
    super(
      'unsupported_media_type',
      ImportErrorCode.NotMultipart,
      `send the CSV as multipart/form-data (fields webhookId, columnMapping and file), not ${contentType || 'an untyped body'}`,
    );
  }
}

export class MalformedUploadError extends DomainError {
  constructor(reason: string) {
    super('bad_request', ImportErrorCode.MalformedUpload, `The multipart body could not be read: ${reason}`);
  }
}

export class InvalidUploadError extends DomainError {
  constructor(fieldErrors: FieldErrors) {
    super('validation', ImportErrorCode.InvalidUpload, 'The upload was refused; nothing was imported', {
      fieldErrors,
    });
  }
}

export class ImportFileTooLargeError extends DomainError {
  constructor(maxBytes: number) {
    super(
      'payload_too_large',
      ImportErrorCode.FileTooLarge,
      `The file is larger than ${maxBytes} bytes; split it into smaller files. Nothing was imported`,
      { details: { maxBytes } },
    );
  }
}

export class NotCsvError extends DomainError {
  constructor(reason: string) {
    super(
      'unsupported_media_type',
      ImportErrorCode.NotCsv,
      `The file is not a CSV: ${reason}. Nothing was imported`,
    );
  }
}

export class NoHeaderRowError extends DomainError {
  constructor(reason: string) {
    super('validation', ImportErrorCode.NoHeaderRow, 'The CSV needs a header row naming its columns', {
      fieldErrors: [{ field: 'file', rule: 'header_row', message: reason }],
    });
  }
}

export class MalformedCsvError extends DomainError {
  constructor(reason: string) {
    super('validation', ImportErrorCode.MalformedCsv, 'The CSV could not be read; nothing was imported', {
      fieldErrors: [{ field: 'file', rule: 'csv', message: reason }],
    });
  }
}

export class InvalidColumnMappingError extends DomainError {
  constructor(fieldErrors: FieldErrors) {
    super(
      'validation',
      ImportErrorCode.InvalidColumnMapping,
      'The column mapping is not valid; nothing was imported',
      {
        fieldErrors,
      },
    );
  }
}

export class ImportWebhookArchivedError extends DomainError {
  constructor(webhookId: string) {
    super(
      'invalid_state',
      ImportErrorCode.WebhookArchived,
      `webhook ${webhookId} is archived and takes no more leads`,
    );
  }
}

export class ImportFinishedError extends DomainError {
  constructor(id: string, status: string) {
    super('invalid_state', ImportErrorCode.ImportFinished, `import ${id} is already ${status}`, {
      details: { importStatus: status },
    });
  }
}
