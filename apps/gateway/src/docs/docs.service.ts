import { NotFoundError } from '@leadflow/platform/errors';
import { Injectable } from '@nestjs/common';
import { GatewayEnv } from '../config/env.schema';
import type { UpstreamService } from '../routing/route-table';
import { UPSTREAM_SERVICES } from '../routing/route-table';
import { UpstreamClient, describeFetchError } from '../routing/upstream-client';
import { DocsError, DocsErrorCode } from './docs.errors';

/** Where each service serves its own OpenAPI document (see OPENAPI_JSON_PATH in the service lib). */
export const SERVICE_OPENAPI_PATH = '/openapi.json';
/** The gateway's own document (its /docs and /readyz endpoints). */
export const GATEWAY_OPENAPI_PATH = '/openapi.json';

export interface DocsEntry {
  name: string;
  url: string;
}

/** The OpenAPI documents `/docs` lists: every service's (fetched at request time) and the gateway's. */
@Injectable()
export class DocsService {
  constructor(
    private readonly env: GatewayEnv,
    private readonly upstreams: UpstreamClient,
  ) {}

  catalog(): DocsEntry[] {
    return [
      ...UPSTREAM_SERVICES.map((name) => ({ name, url: `/docs/${name}/openapi.json` })),
      { name: 'gateway', url: GATEWAY_OPENAPI_PATH },
    ];
  }

  async document(name: string, requestId?: string): Promise<unknown> {
    const service = UPSTREAM_SERVICES.find((s) => s === name);
    if (!service) throw new NotFoundError('service', name);
    return this.fetchDocument(service, requestId);
  }

  private async fetchDocument(service: UpstreamService, requestId?: string): Promise<unknown> {
    const timeoutMs = this.env.READINESS_TIMEOUT_MS;
    let answer;
    try {
      answer = await this.upstreams.getJson(service, SERVICE_OPENAPI_PATH, timeoutMs, requestId);
    } catch (error) {
      throw DocsError.of(DocsErrorCode.ServiceUnavailable, {
        service,
        reason: describeFetchError(error, timeoutMs),
      });
    }
    if (answer.httpStatus !== 200 || typeof answer.body !== 'object' || answer.body === null) {
      throw DocsError.of(DocsErrorCode.ServiceUnavailable, {
        service,
        reason: `it answered ${answer.httpStatus} without a JSON document`,
      });
    }
    return answer.body;
  }
}
