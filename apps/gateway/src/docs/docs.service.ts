import { NotFoundError } from '@leadflow/platform/errors';
import { Injectable } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { GatewayEnv } from '../config/env.schema';
import type { UpstreamService } from '../routing/route-table';
import { UPSTREAM_SERVICES } from '../routing/route-table';
import { UpstreamClient, describeFetchError } from '../routing/upstream-client';
import { DocsError, DocsErrorCode } from './docs.errors';
import { mergeDocuments } from './merged-document';

/** Where each service serves its own OpenAPI document (see OPENAPI_JSON_PATH in the service lib). */
export const SERVICE_OPENAPI_PATH = '/openapi.json';
/** The gateway's own document (its /docs and /readyz endpoints). */
export const GATEWAY_OPENAPI_PATH = '/openapi.json';
/** The public contract in one document: the gateway's and every service's routed paths. */
export const MERGED_OPENAPI_PATH = '/docs/openapi.json';

export interface DocsEntry {
  name: string;
  url: string;
}

/** The OpenAPI documents `/docs` lists: every service's (fetched at request time) and the gateway's. */
@Injectable()
export class DocsService {
  private own: OpenAPIObject | undefined;

  constructor(
    private readonly env: GatewayEnv,
    private readonly upstreams: UpstreamClient,
  ) {}

  /** The gateway's own document, as the bootstrap built it (set once, before listening). */
  setOwnDocument(document: OpenAPIObject): void {
    this.own = document;
  }

  catalog(): DocsEntry[] {
    return [
      { name: 'LeadFlow API (all services)', url: MERGED_OPENAPI_PATH },
      ...UPSTREAM_SERVICES.map((name) => ({ name, url: `/docs/${name}/openapi.json` })),
      { name: 'gateway', url: GATEWAY_OPENAPI_PATH },
    ];
  }

  async document(name: string, requestId?: string): Promise<unknown> {
    const service = UPSTREAM_SERVICES.find((s) => s === name);
    if (!service) throw new NotFoundError('service', name);
    return this.fetchDocument(service, requestId);
  }

  /** Every service's document fetched now, merged with the gateway's (503 while one is unavailable). */
  async merged(requestId?: string): Promise<OpenAPIObject> {
    if (!this.own) throw new Error('the gateway document is not built yet');
    const documents = await Promise.all(
      UPSTREAM_SERVICES.map(
        async (service) => [service, await this.fetchDocument(service, requestId)] as const,
      ),
    );
    return mergeDocuments(
      this.own,
      Object.fromEntries(documents.map(([service, document]) => [service, document as OpenAPIObject])),
    );
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
