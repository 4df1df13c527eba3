import type { Socket } from 'node:net';
import { connect, createServer } from 'node:net';

export interface TcpProxy {
  /** The loopback port the proxy listens on. */
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  /** An outage: every open connection is reset, and new ones are reset as soon as they arrive. */
  cut(): void;
  /** The end of the outage: connections are forwarded again. */
  restore(): void;
  /** Connections refused while cut. */
  readonly refused: number;
  /** When each refused connection arrived (`performance.now()`, ms), oldest first. */
  readonly refusedAt: readonly number[];
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 in front of `target`, to simulate a network or server outage for one
 * client (say, one service's DataSource) without stopping the shared server behind it.
 */
export async function startTcpProxy(target: { host: string; port: number }, port = 0): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let down = false;
  let refused = 0;
  const refusedAt: number[] = [];
  const reset = (socket: Socket): void => {
    try {
      socket.resetAndDestroy();
    } catch {
      socket.destroy();
    }
  };
  const server = createServer((client) => {
    if (down) {
      refused++;
      refusedAt.push(performance.now());
      reset(client);
      return;
    }
    const upstream = connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const end = (): void => {
      open.delete(client);
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tcp proxy: no port');
  return {
    port: address.port,
    via(url: string): string {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(address.port);
      return u.toString();
    },
    cut(): void {
      down = true;
      for (const socket of [...open]) reset(socket);
      open.clear();
    },
    restore(): void {
      down = false;
    },
    get refused(): number {
      return refused;
    },
    get refusedAt(): readonly number[] {
      return [...refusedAt];
    },
    async close(): Promise<void> {
      for (const socket of [...open]) socket.destroy();
      open.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
