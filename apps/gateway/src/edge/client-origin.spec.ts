import { TRUSTED_PROXIES } from '@leadflow/platform/service';
import express from 'express';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import { ClientOrigins } from './client-origin';

/** A request as Express sees it: its own getters (`ip`, `protocol`, `host`) over the raw fields. */
function expressRequest(
  app: express.Express,
  raw: Pick<IncomingMessage, 'headers' | 'socket'>,
): express.Request {
  return Object.assign(Object.create(app.request) as express.Request, {
    app,
    headers: raw.headers,
    socket: raw.socket,
    connection: raw.socket,
  });
}

const PEERS = ['127.0.0.1', '::1', '10.1.2.3', '::ffff:192.168.0.9', '203.0.113.7', '2001:db8::1'];
const HEADERS: IncomingHttpHeaders[] = [
  { host: 'api.leadflow.test' },
  {},
  { host: 'api.leadflow.test', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'leads.example.com' },
  { host: 'h', 'x-forwarded-proto': ' https , http', 'x-forwarded-host': 'a.example.com , b.example.com' },
  { host: 'h', 'x-forwarded-for': '198.51.100.4' },
  { host: 'h', 'x-forwarded-for': '198.51.100.4, 10.0.0.2, 127.0.0.1' },
  { host: 'h', 'x-forwarded-for': 'junk, 10.0.0.2' },
  { host: 'h', 'x-forwarded-proto': '', 'x-forwarded-host': '' },
];

describe('ClientOrigins reads a request as Express does under the same `trust proxy` setting', () => {
  const settings: [string, string[] | boolean][] = [
    ['the platform setting', TRUSTED_PROXIES],
    ['no proxy trusted', false],
    ['one trusted range', ['10.0.0.0/8']],
  ];
  it.each(settings)('%s', (_name, trust) => {
    const app = express();
    app.set('trust proxy', trust);
    const origins = new ClientOrigins(app.get('trust proxy fn') as (address: string, hop: number) => boolean);
    let compared = 0;
    for (const remoteAddress of PEERS) {
      for (const encrypted of [false, true]) {
        for (const headers of HEADERS) {
          const socket = { remoteAddress, encrypted } as unknown as IncomingMessage['socket'];
          const raw = { headers, socket } as IncomingMessage;
          const viaExpress = expressRequest(app, raw);
          expect({
            ip: origins.ip(raw),
            protocol: origins.protocol(raw),
            host: origins.host(raw),
          }).toEqual({ ip: viaExpress.ip, protocol: viaExpress.protocol, host: viaExpress.host });
          compared += 1;
        }
      }
    }
    expect(compared).toBe(PEERS.length * 2 * HEADERS.length);
  });

  it('decides whether a connection’s peer is trusted once per connection', () => {
    const trust = jest.fn(proxyaddr.compile(TRUSTED_PROXIES));
    const origins = new ClientOrigins(trust);
    const socket = { remoteAddress: '127.0.0.1' } as unknown as IncomingMessage['socket'];
    const other = { remoteAddress: '203.0.113.7' } as unknown as IncomingMessage['socket'];
    for (let i = 0; i < 3; i += 1) {
      expect(origins.peerTrusted({ socket, headers: {} } as unknown as IncomingMessage)).toBe(true);
      expect(origins.peerTrusted({ socket: other, headers: {} } as unknown as IncomingMessage)).toBe(false);
    }
    expect(trust).toHaveBeenCalledTimes(2);
  });

  it('trusts no peer whose connection has already closed (no address)', () => {
    const origins = new ClientOrigins(() => true);
    const socket = { remoteAddress: undefined } as unknown as IncomingMessage['socket'];
    expect(origins.peerTrusted({ socket, headers: {} } as unknown as IncomingMessage)).toBe(false);
    const forwarded = { socket, headers: { 'x-forwarded-proto': 'https' } } as unknown as IncomingMessage;
    expect(origins.protocol(forwarded)).toBe('http');
  });
});
