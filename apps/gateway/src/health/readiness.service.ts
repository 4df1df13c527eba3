import { Injectable } from '@nestjs/common';
import { GatewayEnv } from '../config/env.schema';
import type { UpstreamService } from '../routing/route-table';
import { UPSTREAM_SERVICES } from '../routing/route-table';
import { UpstreamClient, describeFetchError } from '../routing/upstream-client';

export interface UpstreamReadiness {
  status: 'up' | 'down';
  /** Status of the upstream's own `/readyz`, when it answered. */
  httpStatus?: number;
  /** Why it could not be asked (timeout, connection refused...). */
  error?: string;
  /** The upstream's own readiness document, when it answered JSON. */
  details?: unknown;
}

export interface GatewayReadiness {
  status: 'ok' | 'error';
  services: Record<UpstreamService, UpstreamReadiness>;
}

/** The gateway is ready when every service behind it says it is ready. */
@Injectable()
export class ReadinessService {
  constructor(
    private readonly env: GatewayEnv,
    private readonly upstreams: UpstreamClient,
  ) {}

  async check(requestId?: string): Promise<GatewayReadiness> {
    const results = await Promise.all(UPSTREAM_SERVICES.map((service) => this.checkOne(service, requestId)));
    const services = Object.fromEntries(
      UPSTREAM_SERVICES.map((service, i) => [service, results[i]]),
    ) as Record<UpstreamService, UpstreamReadiness>;
    return { status: results.every((r) => r.status === 'up') ? 'ok' : 'error', services };
  }

  private async checkOne(service: UpstreamService, requestId?: string): Promise<UpstreamReadiness> {
    const timeoutMs = this.env.READINESS_TIMEOUT_MS;
    try {
      const { httpStatus, body } = await this.upstreams.getJson(service, '/readyz', timeoutMs, requestId);
      return {
        status: httpStatus === 200 ? 'up' : 'down',
        httpStatus,
        ...(body === undefined ? {} : { details: body }),
      };
    } catch (error) {
      return { status: 'down', error: describeFetchError(error, timeoutMs) };
    }
  }
}
