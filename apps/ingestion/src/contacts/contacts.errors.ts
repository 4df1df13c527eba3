import type { ErrorSpec } from '@leadflow/platform/errors';
import { defineErrors } from '@leadflow/platform/errors';

export enum ContactErrorCode {
  SelfMerge = 'contact_self_merge',
  AlreadyMerged = 'contact_already_merged',
  CustomFieldsTooLarge = 'custom_fields_too_large',
}

export const ContactError = defineErrors('ContactError', {
  [ContactErrorCode.SelfMerge]: {
    kind: 'validation',
    message: 'a contact cannot be merged into itself',
    fieldError: { field: 'sourceContactId', rule: 'different_contact' },
  },
  [ContactErrorCode.AlreadyMerged]: {
    kind: 'conflict',
    message: ({ id, mergedIntoId }: { id: string; mergedIntoId: string }) =>
      `contact ${id} was already merged into ${mergedIntoId}`,
    options: ({ mergedIntoId }: { id: string; mergedIntoId: string }) => ({ details: { mergedIntoId } }),
  },
  [ContactErrorCode.CustomFieldsTooLarge]: {
    kind: 'validation',
    message: ({ maxKeys, maxBytes }: { maxKeys: number; maxBytes: number }) =>
      `customFields may hold at most ${maxKeys} keys and ${maxBytes} bytes of JSON`,
    fieldError: { field: 'customFields', rule: 'max_size' },
  },
} satisfies Record<ContactErrorCode, ErrorSpec>);
export type ContactError = InstanceType<typeof ContactError>;
