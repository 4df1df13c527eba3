import { MetricsService } from '@leadflow/platform/observability';
import { Injectable } from '@nestjs/common';
import type { Gauge } from 'prom-client';
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
  /** `ok`: every service is ready; `degraded`: the gateway routes, but some service is not. */
  status: 'ok' | 'degraded';
  services: Record<UpstreamService, UpstreamReadiness>;
}

/**
 * The gateway's readiness is its own: it is ready as soon as it can route, whatever the services
 * behind it say (one empty or failing service must not take login and intake off the load
 * balancer with it: routes to it answer 503 on their own). Each service's state is reported
 * beside it, and kept as the `gateway_upstream_ready` gauge.
 */
@Injectable()
export class ReadinessService {
  private readonly ready: Gauge<'service'>;

  constructor(
    private readonly env: GatewayEnv,
    private readonly upstreams: UpstreamClient,
    metrics: MetricsService,
  ) {
    this.ready = metrics.gauge(
      'gateway_upstream_ready',
      "1 when the service's /readyz answered 200 at the gateway's last check, else 0",
      ['service'],
    );
  }

  async check(requestId?: string): Promise<GatewayReadiness> {
    const results = await Promise.all(UPSTREAM_SERVICES.map((service) => this.checkOne(service, requestId)));
    const services = Object.fromEntries(
      UPSTREAM_SERVICES.map((service, i) => [service, results[i]]),
    ) as Record<UpstreamService, UpstreamReadiness>;
    UPSTREAM_SERVICES.forEach((service, i) =>
      this.ready.set({ service }, results[i].status === 'up' ? 1 : 0),
    );
    return { status: results.every((r) => r.status === 'up') ? 'ok' : 'degraded', services };
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

/**
 * What an anonymous caller (a load balancer, anyone on the internet) is told: each service up or
 * down, never the errors, status codes or documents behind it (host names, database messages).
 */
export function publicReadiness(readiness: GatewayReadiness): GatewayReadiness {
  const services = Object.fromEntries(
    Object.entries(readiness.services).map(([service, r]) => [service, { status: r.status }]),
  ) as Record<UpstreamService, UpstreamReadiness>;
  return { status: readiness.status, services };
}
