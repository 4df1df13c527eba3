import type { ErrorSpec } from '@leadflow/platform/errors';
import { defineErrors } from '@leadflow/platform/errors';

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

export const ImportError = defineErrors('ImportError', {
  [ImportErrorCode.NotMultipart]: {
    kind: 'unsupported_media_type',
    message: ({ contentType }: { contentType: string }) =>
      `send the CSV as multipart/form-data (fields webhookId, columnMapping and file), not ${contentType || 'an untyped body'}`,
  },
  [ImportErrorCode.MalformedUpload]: {
    kind: 'bad_request',
    message: ({ reason }: { reason: string }) => `The multipart body could not be read: ${reason}`,
  },
  /** Thrown with the upload's `fieldErrors`. */
  [ImportErrorCode.InvalidUpload]: {
    kind: 'validation',
    message: 'The upload was refused; nothing was imported',
  },
  [ImportErrorCode.FileTooLarge]: {
    kind: 'payload_too_large',
    message: ({ maxBytes }: { maxBytes: number }) =>
      `The file is larger than ${maxBytes} bytes; split it into smaller files. Nothing was imported`,
    options: ({ maxBytes }: { maxBytes: number }) => ({ details: { maxBytes } }),
  },
  [ImportErrorCode.NotCsv]: {
    kind: 'unsupported_media_type',
    message: ({ reason }: { reason: string }) => `The file is not a CSV: ${reason}. Nothing was imported`,
  },
  [ImportErrorCode.NoHeaderRow]: {
    kind: 'validation',
    message: 'The CSV needs a header row naming its columns',
    options: ({ reason }: { reason: string }) => ({
      fieldErrors: [{ field: 'file', rule: 'header_row', message: reason }],
    }),
  },
  [ImportErrorCode.MalformedCsv]: {
    kind: 'validation',
    message: 'The CSV could not be read; nothing was imported',
    options: ({ reason }: { reason: string }) => ({
      fieldErrors: [{ field: 'file', rule: 'csv', message: reason }],
    }),
  },
  /** Thrown with the mapping's `fieldErrors`. */
  [ImportErrorCode.InvalidColumnMapping]: {
    kind: 'validation',
    message: 'The column mapping is not valid; nothing was imported',
  },
  [ImportErrorCode.WebhookArchived]: {
    kind: 'invalid_state',
    message: ({ webhookId }: { webhookId: string }) =>
      `webhook ${webhookId} is archived and takes no more leads`,
  },
  [ImportErrorCode.ImportFinished]: {
    kind: 'invalid_state',
    message: ({ id, status }: { id: string; status: string }) => `import ${id} is already ${status}`,
    options: ({ status }: { id: string; status: string }) => ({ details: { importStatus: status } }),
  },
} satisfies Record<ImportErrorCode, ErrorSpec>);
export type ImportError = InstanceType<typeof ImportError>;
