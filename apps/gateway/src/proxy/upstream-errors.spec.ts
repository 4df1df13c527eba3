import { UpstreamTimeoutError, classifyUpstreamError, upstreamErrorAnswer } from './upstream-errors';

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('classifyUpstreamError', () => {
  it('maps the gateway timeout and socket timeouts to 504 gateway_timeout', () => {
    expect(classifyUpstreamError(new UpstreamTimeoutError(100))).toBe('timeout');
    expect(classifyUpstreamError(withCode('ETIMEDOUT'))).toBe('timeout');
    expect(upstreamErrorAnswer.timeout).toEqual({ status: 504, code: 'gateway_timeout' });
  });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])(
    'maps %s to 503 service_unavailable',
    (code) => {
      expect(classifyUpstreamError(withCode(code))).toBe('unavailable');
      expect(upstreamErrorAnswer.unavailable).toEqual({ status: 503, code: 'service_unavailable' });
    },
  );

  it('maps anything else (reset, hang-up, parse error) to 502 bad_gateway', () => {
    expect(classifyUpstreamError(withCode('ECONNRESET'))).toBe('bad_gateway');
    expect(classifyUpstreamError(withCode('HPE_INVALID_CONSTANT'))).toBe('bad_gateway');
    expect(classifyUpstreamError(new Error('socket hang up'))).toBe('bad_gateway');
    expect(upstreamErrorAnswer.bad_gateway).toEqual({ status: 502, code: 'bad_gateway' });
  });

  it.each(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])(
    'maps undici’s %s (the upstream stayed silent) to timeout',
    (code) => {
      expect(classifyUpstreamError(withCode(code))).toBe('timeout');
    },
  );

  it.each(['UND_ERR_CLOSED', 'UND_ERR_DESTROYED'])(
    'maps undici’s %s (the pool is closed, the gateway is stopping) to unavailable',
    (code) => {
      expect(classifyUpstreamError(withCode(code))).toBe('unavailable');
    },
  );

  it.each([
    'UND_ERR_SOCKET',
    'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
    'UND_ERR_ABORTED',
    'HPE_INVALID_HEADER_TOKEN',
  ])('maps undici’s %s (a dropped or malformed answer) to bad_gateway', (code) => {
    expect(classifyUpstreamError(withCode(code))).toBe('bad_gateway');
  });
});
