import { Injectable } from '@nestjs/common';
import { errorCode } from '../proxy/upstream-errors';
import type { UpstreamService } from './route-table';
import { UpstreamRegistry } from './upstream-registry';

export interface UpstreamJson {
  httpStatus: number;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  body: unknown;
}

/** Small JSON GETs the gateway makes itself (readiness, OpenAPI documents), with a deadline. */
@Injectable()
export class UpstreamClient {
  constructor(private readonly registry: UpstreamRegistry) {}

  async getJson(
    service: UpstreamService,
    path: string,
    timeoutMs: number,
    requestId?: string,
  ): Promise<UpstreamJson> {
    const response = await fetch(`${this.registry.url(service)}${path}`, {
      headers: { accept: 'application/json', ...(requestId ? { 'x-request-id': requestId } : {}) },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { httpStatus: response.status, body };
  }
}

/** Fetch aborted by its deadline (duck-typed: the error may come from another realm). */
export function isFetchTimeout(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** A short reason for a failed fetch: `timed out after 3000 ms`, `ECONNREFUSED`, ... */
export function describeFetchError(error: unknown, timeoutMs: number): string {
  if (isFetchTimeout(error)) return `timed out after ${timeoutMs} ms`;
  const cause = (error as { cause?: unknown } | null)?.cause;
  const message = (error as { message?: unknown } | null)?.message;
  return errorCode(cause) ?? errorCode(error) ?? (typeof message === 'string' ? message : String(error));
}
