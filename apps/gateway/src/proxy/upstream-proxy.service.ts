import { MetricsService, RequestContext, acceptId } from '@leadflow/platform/observability';
import type { OnModuleDestroy } from '@nestjs/common';
import { Injectable, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { createProxyMiddleware, debugProxyErrorsPlugin, proxyEventsPlugin } from 'http-proxy-middleware';
import type { RequestHandler } from 'http-proxy-middleware';
import { Agent as HttpAgent } from 'node:http';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import type { Counter, Histogram } from 'prom-client';
import { GatewayEnv } from '../config/env.schema';
import type { UpstreamService } from '../routing/route-table';
import { UPSTREAM_SERVICES, matchRoute } from '../routing/route-table';
import { UpstreamRegistry } from '../routing/upstream-registry';
import { forwardedHeaders } from './forwarded-headers';
import { hopByHopHeaderNames } from './hop-by-hop';
import { writeProblem } from './problem-response';
import {
  UpstreamTimeoutError,
  classifyUpstreamError,
  errorCode,
  upstreamErrorAnswer,
} from './upstream-errors';

/**
 * Idle pooled upstream sockets are closed after this long, before Node's default server
 * keep-alive timeout (5 s) can close them under a request we are about to send.
 */
const IDLE_SOCKET_TIMEOUT_MS = 4000;
const RETRY_AFTER_SECONDS = '5';

/**
 * Forwards every routed path to the service that owns it, streaming bodies both ways (nothing
 * is parsed), with request/correlation ids and X-Forwarded-* set, hop-by-hop headers removed
 * in both directions, and upstream failures answered as problem+json (502/503/504).
 */
@Injectable()
export class UpstreamProxyService implements OnModuleDestroy {
  private readonly logger = new Logger('UpstreamProxy');
  private readonly agents: (HttpAgent | HttpsAgent)[] = [];
  private readonly proxies: Record<UpstreamService, RequestHandler>;
  private readonly errors: Counter<'service' | 'kind'>;
  private readonly duration: Histogram<'service' | 'method' | 'status'>;

  constructor(
    private readonly env: GatewayEnv,
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
    this.proxies = Object.fromEntries(
      UPSTREAM_SERVICES.map((service) => [service, this.createProxy(service, registry.url(service))]),
    ) as Record<UpstreamService, RequestHandler>;
  }

  /** Express middleware mounted before Nest's routes: proxies routed paths, passes the rest on. */
  readonly handle = (req: Request, res: Response, next: NextFunction): void => {
    const route = matchRoute(req.url);
    switch (route.kind) {
      case 'local':
        next();
        return;
      case 'invalid_path':
        writeProblem(req, res, {
          status: 400,
          code: 'bad_request',
          detail: `The path is refused: ${route.reason}`,
        });
        return;
      case 'unknown_api':
        writeProblem(req, res, {
          status: 404,
          code: 'not_found',
          detail: `No service serves ${req.url.split('?', 1)[0]}`,
        });
        return;
      case 'upstream':
        this.prepareRequest(req);
        this.observe(route.service, req, res);
        void this.proxies[route.service](req, res, next);
        return;
    }
  };

  onModuleDestroy(): void {
    for (const agent of this.agents) agent.destroy();
  }

  private createProxy(service: UpstreamService, target: string): RequestHandler {
    const agentOptions = { keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS };
    const agent = target.startsWith('https:') ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.agents.push(agent);
    return createProxyMiddleware({
      target,
      agent,
      changeOrigin: true,
      // Our own error answers replace the default plain-text one; keep the crash guards.
      ejectPlugins: true,
      plugins: [debugProxyErrorsPlugin, proxyEventsPlugin],
      on: {
        proxyReq: (proxyReq) => this.armTimeout(proxyReq),
        proxyRes: (proxyRes, req, res) => this.prepareResponse(proxyRes, req, res),
        error: (error, req, res) => this.fail(service, error, req, res),
      },
    });
  }

  /**
   * Rewrites the incoming headers that http-proxy copies to the upstream request. Done here,
   * not in `proxyReq`, because http-proxy skips that event for requests with `Expect` (removing
   * `Expect` here also guarantees the event, which arms the upstream timeout, always fires).
   */
  private prepareRequest(req: Request): void {
    for (const name of hopByHopHeaderNames(req.headers)) delete req.headers[name];
    // Node already answered `100 Continue` to the client; the expectation ends at this hop.
    delete req.headers.expect;
    const requestId = typeof req.id === 'string' ? req.id : undefined;
    if (requestId) req.headers['x-request-id'] = requestId;
    const correlationId =
      RequestContext.current()?.correlationId ?? acceptId(req.headers['x-correlation-id']) ?? requestId;
    if (correlationId) req.headers['x-correlation-id'] = correlationId;
    // Express compiles its `trust proxy` setting into this function (also behind req.protocol/host).
    const trust = req.app.get('trust proxy fn') as ((address: string, hop: number) => boolean) | undefined;
    const peerAddress = req.socket.remoteAddress;
    Object.assign(
      req.headers,
      forwardedHeaders({
        peerAddress,
        peerTrusted: peerAddress !== undefined && trust?.(peerAddress, 0) === true,
        incomingFor: req.headers['x-forwarded-for'],
        protocol: req.protocol,
        host: req.host,
      }),
    );
  }

  /**
   * Answers 504 when the upstream stays silent for UPSTREAM_TIMEOUT_MS: while connecting, and
   * (once connected) whenever no bytes move either way for that long.
   */
  private armTimeout(proxyReq: ClientRequest): void {
    const timeoutMs = this.env.UPSTREAM_TIMEOUT_MS;
    const fail = () => proxyReq.destroy(new UpstreamTimeoutError(timeoutMs));
    proxyReq.setTimeout(timeoutMs, fail);
    const socket = proxyReq.socket;
    if (socket?.connecting) {
      const connectTimer = setTimeout(fail, timeoutMs);
      const clear = () => clearTimeout(connectTimer);
      socket.once('connect', clear);
      proxyReq.once('close', clear);
    }
  }

  private prepareResponse(proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse): void {
    for (const name of hopByHopHeaderNames(proxyRes.headers)) delete proxyRes.headers[name];
    // Our own hop: keep the client's connection open unless it asked to close it.
    proxyRes.headers.connection = res.shouldKeepAlive ? 'keep-alive' : 'close';
    if (typeof req.id === 'string') proxyRes.headers['x-request-id'] = req.id;
  }

  private fail(
    service: UpstreamService,
    error: Error,
    req: IncomingMessage,
    res: ServerResponse | Socket,
  ): void {
    const kind = classifyUpstreamError(error);
    this.errors.inc({ service, kind });
    this.logger.warn(
      { upstream: service, kind, errorCode: errorCode(error), err: error.message, requestId: req.id },
      `${req.method} ${req.url?.split('?', 1)[0]} -> ${service} failed (${kind})`,
    );
    if (!('writeHead' in res) || res.headersSent) {
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

  private observe(service: UpstreamService, req: Request, res: Response): void {
    const started = process.hrtime.bigint();
    const requestId = req.id;
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.writableFinished ? String(res.statusCode) : 'aborted';
      this.duration.observe({ service, method: req.method, status }, seconds);
      const path = req.originalUrl.split('?', 1)[0];
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
