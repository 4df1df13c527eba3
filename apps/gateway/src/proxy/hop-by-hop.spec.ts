import { HOP_BY_HOP_HEADERS, hopByHopHeaderNames, withoutHopByHopHeaders } from './hop-by-hop';

describe('withoutHopByHopHeaders', () => {
  it('removes every standard hop-by-hop header and keeps end-to-end ones', () => {
    const headers = {
      connection: 'keep-alive',
      'keep-alive': 'timeout=5',
      'proxy-authenticate': 'Basic',
      'proxy-authorization': 'Basic dXNlcjpwYXNz',
      'proxy-connection': 'keep-alive',
      te: 'trailers',
      trailer: 'Expires',
      upgrade: 'websocket',
      'content-type': 'application/json',
      'content-length': '12',
      authorization: 'Bearer x',
      'x-request-id': 'r1',
    };
    expect(withoutHopByHopHeaders(headers)).toEqual({
      'content-type': 'application/json',
      'content-length': '12',
      authorization: 'Bearer x',
      'x-request-id': 'r1',
    });
  });

  it('also removes headers the Connection header names, whatever their case and spacing', () => {
    const headers = {
      connection: 'close, X-Secret-Hop ,  x-other',
      'x-secret-hop': '1',
      'x-other': '2',
      'x-kept': '3',
    };
    expect(withoutHopByHopHeaders(headers)).toEqual({ 'x-kept': '3' });
  });

  it('handles a Connection header given as several values', () => {
    const headers = { connection: ['x-a', 'x-b'] as unknown as string, 'x-a': '1', 'x-b': '2', 'x-c': '3' };
    expect(withoutHopByHopHeaders(headers)).toEqual({ 'x-c': '3' });
  });

  it('does not modify its input', () => {
    const headers = { connection: 'x-a', 'x-a': '1' };
    withoutHopByHopHeaders(headers);
    expect(headers).toEqual({ connection: 'x-a', 'x-a': '1' });
  });
});

describe('hopByHopHeaderNames', () => {
  it('lists only the hop-by-hop headers present', () => {
    expect(hopByHopHeaderNames({ te: 'trailers', 'x-a': '1', connection: 'x-a, x-missing' }).sort()).toEqual([
      'connection',
      'te',
      'x-a',
    ]);
    expect(hopByHopHeaderNames({ 'content-type': 'text/plain' })).toEqual([]);
  });

  it('covers the headers RFC 9110 names as connection-specific', () => {
    expect(HOP_BY_HOP_HEADERS).toEqual(
      expect.arrayContaining([
        'connection',
        'keep-alive',
        'proxy-authenticate',
        'proxy-authorization',
        'te',
        'trailer',
        'upgrade',
      ]),
    );
    expect(HOP_BY_HOP_HEADERS).not.toContain('transfer-encoding');
  });
});
