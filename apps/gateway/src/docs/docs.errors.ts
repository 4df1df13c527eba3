import { DomainError } from '@leadflow/platform/errors';

export enum DocsErrorCode {
  ServiceUnavailable = 'service_unavailable',
}

/** A service's OpenAPI document could not be fetched (service down, slow, or not answering it). */
export class UpstreamDocumentUnavailableError extends DomainError {
  constructor(service: string, reason: string) {
    super(
      'unavailable',
      DocsErrorCode.ServiceUnavailable,
      `The OpenAPI document of ${service} is unavailable: ${reason}`,
      {
        details: { service },
        retryAfterSeconds: 5,
      },
    );
  }
}
