import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import proxyaddr from 'proxy-addr';

/** Express's compiled `trust proxy` setting: is the hop at `address` a proxy we trust? */
export type TrustProxy = (address: string, hop: number) => boolean;

/**
 * Where a request came from, read exactly as Express reads `req.ip`, `req.protocol` and
 * `req.host` under the app's `trust proxy` setting — for the requests the gateway serves without
 * Express (see GatewayFrontDoor). Whether the peer itself is a trusted proxy is decided once per
 * connection rather than once per question.
 */
export class ClientOrigins {
  private readonly trustedPeers = new WeakMap<Socket, boolean>();

  constructor(private readonly trust: TrustProxy) {}

  /** Is the connection's peer a proxy we trust (so its X-Forwarded-* headers count)? */
  peerTrusted(req: IncomingMessage): boolean {
    const socket = req.socket;
    let trusted = this.trustedPeers.get(socket);
    if (trusted === undefined) {
      const address = socket.remoteAddress;
      // A socket already closed has no address: nothing about it can be trusted (nor cached).
      if (address === undefined) return false;
      trusted = this.trust(address, 0);
      this.trustedPeers.set(socket, trusted);
    }
    return trusted;
  }

  /** `req.protocol`: the trusted proxy's X-Forwarded-Proto (its first value), else our own hop's. */
  protocol(req: IncomingMessage, peerTrusted = this.peerTrusted(req)): string {
    const own = (req.socket as Socket & { encrypted?: boolean }).encrypted ? 'https' : 'http';
    if (!peerTrusted) return own;
    const header = firstValue(req.headers['x-forwarded-proto']) || own;
    const comma = header.indexOf(',');
    return (comma === -1 ? header : header.slice(0, comma)).trim();
  }

  /** `req.host`: the trusted proxy's X-Forwarded-Host (its first value), else the Host header. */
  host(req: IncomingMessage, peerTrusted = this.peerTrusted(req)): string | undefined {
    let value = firstValue(req.headers['x-forwarded-host']);
    if (!value || !peerTrusted) value = req.headers.host;
    else if (value.includes(',')) value = value.slice(0, value.indexOf(',')).trimEnd();
    return value || undefined;
  }

  /** `req.ip`: the nearest address in X-Forwarded-For that is not a trusted proxy. */
  ip(req: IncomingMessage): string {
    return proxyaddr(req, this.trust);
  }
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
