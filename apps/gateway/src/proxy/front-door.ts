import { MetricsService, RequestContext, acceptId, newId } from '@leadflow/platform/observability';
import { applySecurityHeaders } from '@leadflow/platform/service';
import { Injectable, Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { EdgeAuthService } from '../edge/edge-auth.service';
import type { RouteMatch } from '../routing/route-table';
import { matchRoute } from '../routing/route-table';
import { answerEdge, answerEdgeUnavailable } from './edge-answer';
import { writeProblem } from './problem-response';
import { UpstreamProxyService } from './upstream-proxy.service';

/** How long an idle client connection stays open (see install). */
const CLIENT_KEEP_ALIVE_MS = 65_000;

/**
 * The gateway's hot path. Requests for the services (every routed path, and refusals of paths no
 * service serves) are answered on the HTTP server's own `request` event, ahead of Express: the
 * request context (ids, async context, the request duration metric), the edge's checks, and the
 * proxy. Express's per-request set-up and middleware walk cost about a sixth of the gateway's CPU
 * per proxied request, for nothing a proxied request uses; the gateway's own routes (`/healthz`,
 * `/readyz`, `/metrics`, `/docs`) still go through Express and Nest.
 */
@Injectable()
export class GatewayFrontDoor {
  private readonly logger = new Logger('EdgeAuth');

  constructor(
    private readonly edge: EdgeAuthService,
    private readonly proxy: UpstreamProxyService,
    private readonly metrics: MetricsService,
  ) {}

  /** Puts itself in front of the app's Express handler on the app's HTTP server. */
  install(app: NestExpressApplication): void {
    const server = app.getHttpServer() as Server;
    // The public entry keeps idle client connections longer than clients and ingresses keep
    // theirs (undici 4 s, browsers, nginx 60 s), so that the client side always closes first:
    // with Node's 5 s a client reusing its socket just as the gateway closed it failed the request.
    server.keepAliveTimeout = CLIENT_KEEP_ALIVE_MS;
    server.headersTimeout = CLIENT_KEEP_ALIVE_MS + 1000;
    const listeners = server.listeners('request') as RequestListener[];
    if (listeners.length !== 1)
      throw new Error(`expected Express as the one request listener, found ${listeners.length}`);
    const [express] = listeners;
    server.removeListener('request', express);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      // Before anything answers: an upstream's own headers of the same names replace these.
      applySecurityHeaders(req, res);
      const route = matchRoute(req.url ?? '/');
      if (route.kind === 'local') express(req, res);
      else this.serve(route, req, res);
    });
  }

  private serve(
    route: Exclude<RouteMatch, { kind: 'local' }>,
    req: IncomingMessage,
    res: ServerResponse,
  ): void {
    const requestId = acceptId(req.headers['x-request-id']) ?? newId();
    const correlationId = acceptId(req.headers['x-correlation-id']) ?? requestId;
    req.id = requestId;
    this.time(req, res);
    RequestContext.run({ requestId, correlationId }, () => {
      switch (route.kind) {
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
            detail: `No service serves ${req.url?.split('?', 1)[0]}`,
          });
          return;
        case 'upstream': {
          const forward = (): void => this.proxy.forward(route.service, req, res, correlationId);
          const verdict = this.edge.check(req, req.url?.split('?', 1)[0] ?? '/');
          if (!(verdict instanceof Promise)) {
            answerEdge(req, res, verdict, forward);
            return;
          }
          verdict.then(
            (judged) => answerEdge(req, res, judged, forward),
            (error: unknown) => {
              this.logger.error({ err: error }, 'edge check failed');
              answerEdgeUnavailable(req, res);
            },
          );
          return;
        }
      }
    });
  }

  /** The request duration every service records (`route` "unmatched": no Nest route served it). */
  private time(req: IncomingMessage, res: ServerResponse): void {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      this.metrics.httpDuration.observe(
        { method: req.method, route: 'unmatched', status: String(res.statusCode) },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    });
  }
}
