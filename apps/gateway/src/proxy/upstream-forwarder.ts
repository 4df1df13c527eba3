import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import { Pool } from 'undici';
import { UpstreamTimeoutError } from './upstream-errors';

/**
 * Idle pooled upstream sockets are closed after this long, before Node's default server
 * keep-alive timeout (5 s) can close them under a request we are about to send.
 */
const IDLE_SOCKET_TIMEOUT_MS = 4000;

/** What the proxy decides for each exchange; the forwarder only moves the bytes between the two hops. */
export interface ExchangePolicy {
  /** The client's response headers, made from the upstream's. */
  responseHeaders(
    req: IncomingMessage,
    res: ServerResponse,
    upstream: IncomingHttpHeaders,
  ): OutgoingHttpHeaders;
  /** The upstream failed or could not be reached while the client was still connected. */
  failed(req: IncomingMessage, res: ServerResponse, error: Error): void;
}

export interface UpstreamRequest {
  method: string;
  /** Path and query, forwarded unchanged. */
  path: string;
  /** Flat `[name, value...]` list (see `upstreamRequestHeaders`). */
  headers: string[];
  /** The client's request stream, or null when it has no body. */
  body: IncomingMessage | null;
}

/**
 * Forwards requests to one upstream service over a pool of keep-alive connections (undici), and
 * streams each answer straight into the client's response. `timeoutMs` bounds every silence of
 * the upstream connection: connecting, waiting for the answer once the request is sent, between
 * two chunks of the answer, and (see ResponseRelay) while the client holds the exchange up.
 * undici checks the waits for the answer and between chunks on a ~0.5 s tick, so they end within
 * half a second either side of `timeoutMs` (irrelevant at the default 30 s).
 */
export class UpstreamForwarder {
  private readonly pool: Pool;

  constructor(
    origin: string,
    private readonly timeoutMs: number,
  ) {
    this.pool = new Pool(origin, {
      connect: { timeout: timeoutMs },
      headersTimeout: timeoutMs,
      // undici keeps a socket's running timer when the next one has the same delay (and speed
      // class): a body timeout of exactly the headers timeout, still running from the previous
      // answer on a reused connection, would cut the next request's wait for headers short.
      // Distinct delays make each phase start its own timer.
      bodyTimeout: timeoutMs + 1,
      keepAliveTimeout: IDLE_SOCKET_TIMEOUT_MS,
      keepAliveMaxTimeout: IDLE_SOCKET_TIMEOUT_MS,
    });
  }

  forward(req: IncomingMessage, res: ServerResponse, request: UpstreamRequest, policy: ExchangePolicy): void {
    // The client left while the edge checked it (its 'close' has passed): nothing to forward.
    if (res.destroyed) return;
    // Errors, including invalid options, reach the relay's onResponseError: dispatch never throws.
    this.pool.dispatch(request, new ResponseRelay(req, res, policy, this.timeoutMs));
  }

  /** Closes every connection, cutting exchanges still running (as the server has drained by then). */
  close(): Promise<void> {
    return this.pool.destroy();
  }
}

/**
 * undici's handler for one exchange. It writes the upstream's status and headers to the client's
 * response, then each chunk of the body as it arrives, pausing the upstream connection while the
 * client's socket is full; no IncomingMessage is built for the upstream's answer. When the client
 * goes away first, the upstream request is aborted.
 */
class ResponseRelay implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  /** The client's connection (kept: undici detaches a request body it destroys from its socket). */
  private readonly socket: Socket;
  /** The upstream's answer ended or failed: nothing more to relay or abort. */
  private upstreamDone = false;
  /** The client's connection closed before the upstream's answer ended. */
  private clientGone = false;
  /** The upstream is paused until the client's socket drains. */
  private paused = false;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly policy: ExchangePolicy,
    private readonly timeoutMs: number,
  ) {
    this.socket = req.socket;
    res.once('close', this.onClientClose);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // The client left while the request waited for a connection.
    if (this.clientGone) controller.abort(clientClosed());
    // The body is still on its way: undici only times out an upstream that stops reading it.
    else if (!this.req.complete) this.watchClient();
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    // Interim answers (102, 103) stay at this hop, as Node's http client kept them.
    if (statusCode < 200) return;
    // A throw here (a header Node refuses) makes undici abort the exchange: answered 502.
    this.res.writeHead(
      statusCode,
      statusMessage || undefined,
      this.policy.responseHeaders(this.req, this.res, headers),
    );
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.res.write(chunk)) return;
    this.paused = true;
    controller.pause();
    this.res.once('drain', this.resume);
    // undici's body timeout does not run while paused.
    this.watchClient();
  }

  onResponseEnd(): void {
    this.settle();
    this.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.upstreamDone) return;
    this.settle();
    if (this.clientGone || this.res.destroyed) {
      // The client left (its connection closed, or its request body broke off): nothing to
      // answer, and not an upstream failure.
      this.res.destroy();
      return;
    }
    this.policy.failed(this.req, this.res, error);
  }

  private settle(): void {
    this.upstreamDone = true;
    if (this.watchdog) clearTimeout(this.watchdog);
  }

  /**
   * While the client still sends its body or the answer waits for it to read, the upstream
   * connection idles because of the client. As when the upstream's socket timed out on any
   * silence, such an exchange is cut (504, or a closed connection once answering) when the
   * client's connection moves no byte during a whole UPSTREAM_TIMEOUT_MS.
   */
  private watchClient(): void {
    if (this.watchdog) return;
    let moved = this.socket.bytesRead + this.socket.bytesWritten;
    const check = (): void => {
      if (this.upstreamDone || (this.req.complete && !this.paused)) {
        this.watchdog = undefined;
        return;
      }
      const now = this.socket.bytesRead + this.socket.bytesWritten;
      if (now === moved) {
        this.controller?.abort(new UpstreamTimeoutError(this.timeoutMs));
        return;
      }
      moved = now;
      this.watchdog?.refresh();
    };
    this.watchdog = setTimeout(check, this.timeoutMs).unref();
  }

  private readonly resume = (): void => {
    this.paused = false;
    this.controller?.resume();
  };

  private readonly onClientClose = (): void => {
    if (this.upstreamDone) return;
    this.clientGone = true;
    this.controller?.abort(clientClosed());
  };
}

/** Why an exchange is aborted when its client left (never answered nor counted). */
function clientClosed(): Error {
  return new Error('the client closed the connection');
}
