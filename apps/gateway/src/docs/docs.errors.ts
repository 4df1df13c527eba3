import type { ErrorSpec } from '@leadflow/platform/errors';
import { defineErrors } from '@leadflow/platform/errors';

export enum DocsErrorCode {
  ServiceUnavailable = 'service_unavailable',
}

interface Upstream {
  service: string;
  reason: string;
}

export const DocsError = defineErrors('DocsError', {
  /** A service's OpenAPI document could not be fetched (service down, slow, or not answering it). */
  [DocsErrorCode.ServiceUnavailable]: {
    kind: 'unavailable',
    message: ({ service, reason }: Upstream) =>
      `The OpenAPI document of ${service} is unavailable: ${reason}`,
    options: ({ service }: Upstream) => ({ details: { service }, retryAfterSeconds: 5 }),
  },
} satisfies Record<DocsErrorCode, ErrorSpec>);
export type DocsError = InstanceType<typeof DocsError>;
