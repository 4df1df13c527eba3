import { MetricsService } from '@leadflow/platform/observability';
import type { OnModuleDestroy } from '@nestjs/common';
import { Injectable, Logger } from '@nestjs/common';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Counter, Histogram } from 'prom-client';
import { GatewayEnv } from '../config/env.schema';
import { ClientOrigins } from '../edge/client-origin';
import type { UpstreamService } from '../routing/route-table';
import { UPSTREAM_SERVICES } from '../routing/route-table';
import { UpstreamRegistry } from '../routing/upstream-registry';
import { forwardedHeaders } from './forwarded-headers';
import { hopByHopHeaderNames } from './hop-by-hop';
import { writeProblem } from './problem-response';
import type { ExchangePolicy, UpstreamRequest } from './upstream-forwarder';
import { UpstreamForwarder } from './upstream-forwarder';
import { clientResponseHeaders, hasRequestBody, upstreamRequestHeaders } from './upstream-headers';
import { classifyUpstreamError, errorCode, upstreamErrorAnswer } from './upstream-errors';

const RETRY_AFTER_SECONDS = '5';

/**
 * Forwards every routed path to the service that owns it, streaming bodies both ways (nothing
 * is parsed), with request/correlation ids and X-Forwarded-* set, hop-by-hop headers removed
 * in both directions, and upstream failures answered as problem+json (502/503/504).
 */
@Injectable()
export class UpstreamProxyService implements OnModuleDestroy {
  private readonly logger = new Logger('UpstreamProxy');
  private readonly forwarders: Record<UpstreamService, UpstreamForwarder>;
  /** Per service, so a failure is counted and answered under the right name. */
  private readonly policies: Record<UpstreamService, ExchangePolicy>;
  private readonly errors: Counter<'service' | 'kind'>;
  private readonly duration: Histogram<'service' | 'method' | 'status'>;

  constructor(
    private readonly env: GatewayEnv,
    private readonly origins: ClientOrigins,
    registry: UpstreamRegistry,
    metrics: MetricsService,
  ) {
    this.errors = metrics.counter(
      'gateway_upstream_errors_total',
      'Failed upstream exchanges by service and kind',
      ['service', 'kind'],
    );
    this.duration = metrics.histogram(
      'gateway_upstream_request_duration_seconds',
      'Proxied request duration by upstream service, method and status',
      ['service', 'method', 'status'],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    );
    const forwarders: Partial<Record<UpstreamService, UpstreamForwarder>> = {};
    const policies: Partial<Record<UpstreamService, ExchangePolicy>> = {};
    for (const service of UPSTREAM_SERVICES) {
      forwarders[service] = new UpstreamForwarder(registry.url(service), env.UPSTREAM_TIMEOUT_MS);
      policies[service] = {
        responseHeaders: (req, res, upstream) => this.prepareResponse(req, res, upstream),
        failed: (req, res, error) => this.fail(service, error, req, res),
      };
    }
    this.forwarders = forwarders as Record<UpstreamService, UpstreamForwarder>;
    this.policies = policies as Record<UpstreamService, ExchangePolicy>;
  }

  /**
   * Forwards a request to `service` and relays its answer (see GatewayFrontDoor, which has
   * admitted it), timing the exchange.
   */
  forward(service: UpstreamService, req: IncomingMessage, res: ServerResponse, correlationId: string): void {
    this.observe(service, req, res);
    this.forwarders[service].forward(
      req,
      res,
      this.prepareRequest(req, correlationId),
      this.policies[service],
    );
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(UPSTREAM_SERVICES.map((service) => this.forwarders[service].close()));
  }

  /**
   * The upstream request: method, path and query unchanged, the body streamed from the client's
   * request, and the client's headers without hop-by-hop ones, with request/correlation ids and
   * X-Forwarded-* set (Host is the upstream's own, see upstreamRequestHeaders).
   */
  private prepareRequest(req: IncomingMessage, correlationId: string): UpstreamRequest {
    const requestId = typeof req.id === 'string' ? req.id : undefined;
    const peerAddress = req.socket.remoteAddress;
    const peerTrusted = this.origins.peerTrusted(req);
    // A chain the peer marked as hop-by-hop (named in Connection) was meant for this hop only.
    const incomingFor = hopByHopHeaderNames(req.headers).includes('x-forwarded-for')
      ? undefined
      : req.headers['x-forwarded-for'];
    const headers = upstreamRequestHeaders(req.headers, {
      'x-request-id': requestId,
      'x-correlation-id': correlationId,
      ...forwardedHeaders({
        peerAddress,
        peerTrusted,
        incomingFor,
        protocol: this.origins.protocol(req, peerTrusted),
        host: this.origins.host(req, peerTrusted),
      }),
    });
    return {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers,
      body: hasRequestBody(req.headers) ? req : null,
    };
  }

  private prepareResponse(
    req: IncomingMessage,
    res: ServerResponse,
    upstream: IncomingHttpHeaders,
  ): OutgoingHttpHeaders {
    return clientResponseHeaders(upstream, {
      // Our own hop: keep the client's connection open unless it asked to close it.
      keepAlive: res.shouldKeepAlive,
      httpVersion: req.httpVersion,
      requestId: typeof req.id === 'string' ? req.id : undefined,
    });
  }

  private fail(service: UpstreamService, error: Error, req: IncomingMessage, res: ServerResponse): void {
    const kind = classifyUpstreamError(error);
    this.errors.inc({ service, kind });
    this.logger.warn(
      { upstream: service, kind, errorCode: errorCode(error), err: error.message, requestId: req.id },
      `${req.method} ${req.url?.split('?', 1)[0]} -> ${service} failed (${kind})`,
    );
    if (res.headersSent) {
      // Part of the answer is already on its way: all we can do is cut it short.
      res.destroy();
      return;
    }
    const { status, code } = upstreamErrorAnswer[kind];
    const detail =
      kind === 'timeout'
        ? `The ${service} service did not answer within ${this.env.UPSTREAM_TIMEOUT_MS} ms`
        : kind === 'unavailable'
          ? `The ${service} service is unavailable; try again shortly`
          : `The ${service} service answered with an invalid or interrupted response`;
    writeProblem(req, res, {
      status,
      code,
      detail,
      extra: { service },
      headers: kind === 'unavailable' ? { 'Retry-After': RETRY_AFTER_SECONDS } : {},
    });
  }

  private observe(service: UpstreamService, req: IncomingMessage, res: ServerResponse): void {
    const started = process.hrtime.bigint();
    const requestId = req.id;
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.writableFinished ? String(res.statusCode) : 'aborted';
      this.duration.observe({ service, method: req.method, status }, seconds);
      const path = req.url?.split('?', 1)[0];
      this.logger.log(
        {
          upstream: service,
          method: req.method,
          path,
          status,
          durationMs: Math.round(seconds * 1000),
          requestId,
        },
        'proxied',
      );
    });
  }
}
