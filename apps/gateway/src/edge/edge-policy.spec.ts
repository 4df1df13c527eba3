import { isRateLimited, requiresToken } from './edge-policy';

describe('edge policy', () => {
  it.each([
    ['/api/v1/me', true],
    ['/api/v1/leads', true],
    ['/api/v1/auth/logout', true],
    ['/api/v1/auth/register', false],
    ['/api/v1/auth/login/', false],
    ['/api/v1/auth/refresh', false],
    ['/api/v1/auth/registerx', true],
    ['/api/v1/password-resets', false],
    ['/api/v1/password-resets/confirm', false],
    ['/api/v1/invitations/accept', false],
    ['/api/v1/invitations', true],
    ['/webhooks/leads/abc', false],
    ['/.well-known/jwks.json', false],
    ['/t/o/token', false],
  ])('%s needs a token: %s', (path, expected) => {
    expect(requiresToken(path)).toBe(expected);
  });

  it('rate-limits API traffic only', () => {
    expect(isRateLimited('/api/v1/leads')).toBe(true);
    expect(isRateLimited('/webhooks/leads/abc')).toBe(false);
    expect(isRateLimited('/callbacks/voice/x')).toBe(false);
  });
});
