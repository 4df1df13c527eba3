import type { DynamicModule } from '@nestjs/common';
import { Global, Module } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { METRICS_LISTENER_ADDRESS, MetricsListener } from './metrics.listener';
import { MetricsService } from './metrics.service';
import { redactPersonalData, redactText } from './redact';
import { RequestContext, acceptId, newId } from './request-context';

export interface ObservabilityOptions {
  service: string;
  level: string;
  /** Where `/metrics` is served: its own listener, never the public one. */
  metrics: { host: string; port: number };
}

/** Route templates of requests answered by handlers mounted ahead of Nest's router (see labelRoute). */
const routeLabels = new WeakMap<object, string>();

/**
 * Names the route template a request is timed under when a handler mounted ahead of Nest's
 * router answers it (Nest's routes are named from `req.route`).
 */
export function labelRoute(req: object, route: string): void {
  routeLabels.set(req, route);
}

/**
 * Puts request id and correlation id into the async context (from `X-Request-Id` /
 * `X-Correlation-Id` when they are plain tokens), echoes the request id, and times the request.
 */
export function requestContextMiddleware(metrics: MetricsService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const requestId = acceptId(req.headers['x-request-id']) ?? newId();
    const correlationId = acceptId(req.headers['x-correlation-id']) ?? requestId;
    (req as Request & { id: string }).id = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path;
      metrics.httpDuration.observe(
        {
          method: req.method,
          route: route ? req.baseUrl + route : (routeLabels.get(req) ?? 'unmatched'),
          status: String(res.statusCode),
        },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    });
    RequestContext.run({ requestId, correlationId }, next);
  };
}

/**
 * JSON logs (nestjs-pino) with request/correlation ids and redaction, and `/metrics` on a
 * listener of its own (MetricsListener).
 * `requestContextMiddleware` is mounted by the bootstrap with `app.use` so it runs first.
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: options.level,
            base: { service: options.service },
            messageKey: 'msg',
            genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? newId(),
            autoLogging: {
              ignore: (req: IncomingMessage) => /^\/(healthz|readyz|metrics)/.test(req.url ?? ''),
            },
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({
                id: req.id,
                method: req.method,
                url: redactText(req.url.split('?')[0]),
              }),
              res: (res: { raw?: { statusCode?: number } }) => ({ statusCode: res.raw?.statusCode }),
            },
            formatters: {
              log: (object: Record<string, unknown>) => {
                const ctx = RequestContext.current();
                const withCtx =
                  ctx && !object.correlationId
                    ? { ...object, correlationId: ctx.correlationId, requestId: ctx.requestId }
                    : object;
                return redactPersonalData(withCtx) as Record<string, unknown>;
              },
            },
            hooks: {
              logMethod(args, method) {
                method.apply(
                  this,
                  args.map((a) =>
                    typeof a === 'string' ? (redactPersonalData(a) as string) : a,
                  ) as Parameters<typeof method>,
                );
              },
            },
          },
          forRoutes: ['*path'],
        }),
      ],
      providers: [
        { provide: METRICS_LISTENER_ADDRESS, useValue: options.metrics },
        MetricsListener,
        {
          provide: MetricsService,
          useFactory: () => {
            const m = new MetricsService();
            m.setServiceLabel(options.service);
            return m;
          },
        },
      ],
      exports: [MetricsService, MetricsListener],
    };
  }
}
