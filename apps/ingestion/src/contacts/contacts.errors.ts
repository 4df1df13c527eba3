import { DomainError } from '@leadflow/platform/errors';

export enum ContactErrorCode {
  SelfMerge = 'contact_self_merge',
  AlreadyMerged = 'contact_already_merged',
  CustomFieldsTooLarge = 'custom_fields_too_large',
}

export class SelfMergeError extends DomainError {
  constructor() {
    const message = 'a contact cannot be merged into itself';
    super('validation', ContactErrorCode.SelfMerge, message, {
      fieldErrors: [{ field: 'sourceContactId', rule: 'different_contact', message }],
    });
  }
}

export class ContactAlreadyMergedError extends DomainError {
  constructor(id: string, mergedIntoId: string) {
    super(
      'conflict',
      ContactErrorCode.AlreadyMerged,
      `contact ${id} was already merged into ${mergedIntoId}`,
      {
        details: { mergedIntoId },
      },
    );
  }
}

export class CustomFieldsTooLargeError extends DomainError {
  constructor(maxKeys: number, maxBytes: number) {
    const message = `customFields may hold at most ${maxKeys} keys and ${maxBytes} bytes of JSON`;
    super('validation', ContactErrorCode.CustomFieldsTooLarge, message, {
      fieldErrors: [{ field: 'customFields', rule: 'max_size', message }],
    });
  }
}
