import { clientResponseHeaders, hasRequestBody, upstreamRequestHeaders } from './upstream-headers';

/** The flat `[name, value...]` list as pairs, easier to read in expectations. */
const pairs = (flat: string[]) => flat.flatMap((_, i) => (i % 2 === 0 ? [[flat[i], flat[i + 1]]] : []));

describe('upstreamRequestHeaders', () => {
  it('keeps end-to-end headers and drops hop-by-hop ones, those named in Connection included', () => {
    const headers = upstreamRequestHeaders(
      {
        connection: 'keep-alive, X-Client-Hop',
        'x-client-hop': 'secret',
        'keep-alive': 'timeout=99',
        te: 'trailers',
        upgrade: 'h2c',
        'proxy-authorization': 'Basic dXNlcjpwYXNz',
        'content-type': 'application/json',
        authorization: 'Bearer x',
      },
      {},
    );
    expect(pairs(headers)).toEqual([
      ['content-type', 'application/json'],
      ['authorization', 'Bearer x'],
    ]);
  });

  it('leaves Host, Transfer-Encoding and Expect to this hop and keeps Content-Length', () => {
    const headers = upstreamRequestHeaders(
      {
        host: 'api.leadflow.test',
        'transfer-encoding': 'chunked',
        expect: '100-continue',
        'content-length': '12',
      },
      {},
    );
    expect(pairs(headers)).toEqual([['content-length', '12']]);
  });

  it('sets the gateway’s headers after the client’s, replacing any the client sent', () => {
    const headers = upstreamRequestHeaders(
      { 'x-request-id': 'client-made', 'x-forwarded-for': '10.9.9.9', accept: '*/*' },
      { 'x-request-id': 'r1', 'x-correlation-id': 'c1', 'x-forwarded-for': '203.0.113.7' },
    );
    expect(pairs(headers)).toEqual([
      ['accept', '*/*'],
      ['x-request-id', 'r1'],
      ['x-correlation-id', 'c1'],
      ['x-forwarded-for', '203.0.113.7'],
    ]);
  });

  it('ignores unset values on both sides and sends a header given several values as several lines', () => {
    const headers = upstreamRequestHeaders(
      { 'set-cookie': ['a=1', 'b=2'], 'x-gone': undefined, 'x-request-id': 'client-made' },
      { 'x-request-id': undefined },
    );
    expect(pairs(headers)).toEqual([
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['x-request-id', 'client-made'],
    ]);
  });

  it('does not modify its input', () => {
    const incoming = { connection: 'x-a', 'x-a': '1', host: 'h' };
    upstreamRequestHeaders(incoming, { 'x-request-id': 'r1' });
    expect(incoming).toEqual({ connection: 'x-a', 'x-a': '1', host: 'h' });
  });
});

describe('hasRequestBody', () => {
  it('is true for an announced length or a transfer coding', () => {
    expect(hasRequestBody({ 'content-length': '550' })).toBe(true);
    expect(hasRequestBody({ 'transfer-encoding': 'chunked' })).toBe(true);
  });

  it('is false without either, or for an empty length', () => {
    expect(hasRequestBody({})).toBe(false);
    expect(hasRequestBody({ 'content-length': '0' })).toBe(false);
  });
});

describe('clientResponseHeaders', () => {
  const hop = { keepAlive: true, httpVersion: '1.1', requestId: 'r1' };

  it('drops hop-by-hop headers, those named in Connection included, and keeps the rest', () => {
    expect(
      clientResponseHeaders(
        {
          connection: 'keep-alive, X-Upstream-Hop',
          'x-upstream-hop': 'secret',
          'keep-alive': 'timeout=42',
          'proxy-authenticate': 'Basic realm="upstream"',
          trailer: 'X-Checksum',
          upgrade: 'h2c',
          'content-type': 'text/plain',
          'transfer-encoding': 'chunked',
          'x-end-to-end': 'kept',
        },
        hop,
      ),
    ).toEqual({
      'content-type': 'text/plain',
      'transfer-encoding': 'chunked',
      'x-end-to-end': 'kept',
      connection: 'keep-alive',
      'x-request-id': 'r1',
    });
  });

  it('keeps repeated headers such as several Set-Cookie', () => {
    const headers = clientResponseHeaders(
      {
        'set-cookie': ['a=1; Path=/', 'b=2; HttpOnly'],
        link: ['</a.css>; rel=preload', '</b.js>; rel=preload'],
      },
      hop,
    );
    expect(headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(headers.link).toEqual(['</a.css>; rel=preload', '</b.js>; rel=preload']);
  });

  it('replaces the upstream’s X-Request-Id with the gateway’s', () => {
    expect(clientResponseHeaders({ 'x-request-id': 'upstream-made-this-up' }, hop)['x-request-id']).toBe(
      'r1',
    );
    expect(
      clientResponseHeaders({ 'x-request-id': 'upstream' }, { ...hop, requestId: undefined })['x-request-id'],
    ).toBe('upstream');
  });

  it('describes the client’s own connection: closed when the client asked to close it', () => {
    expect(clientResponseHeaders({ connection: 'keep-alive' }, { ...hop, keepAlive: false }).connection).toBe(
      'close',
    );
  });

  it('answers a 1.0 client without chunked framing and on a closing connection', () => {
    expect(
      clientResponseHeaders(
        { 'transfer-encoding': 'chunked', 'content-type': 'text/csv' },
        { ...hop, httpVersion: '1.0' },
      ),
    ).toEqual({ 'content-type': 'text/csv', connection: 'close', 'x-request-id': 'r1' });
  });
});
