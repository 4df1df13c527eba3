import { forwardedHeaders } from './forwarded-headers';

describe('forwardedHeaders', () => {
  it('starts a new chain for a direct client, ignoring what it claims', () => {
    expect(
      forwardedHeaders({
        peerAddress: '203.0.113.7',
        peerTrusted: false,
        incomingFor: '10.9.9.9',
        protocol: 'http',
        host: 'api.example.com',
      }),
    ).toEqual({
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'api.example.com',
    });
  });

  it('appends the peer to the chain of a trusted proxy', () => {
    expect(
      forwardedHeaders({
        peerAddress: '10.0.0.2',
        peerTrusted: true,
        incomingFor: '198.51.100.1, 10.0.0.1',
        protocol: 'https',
        host: 'app.example.com',
      }),
    ).toEqual({
      'x-forwarded-for': '198.51.100.1, 10.0.0.1, 10.0.0.2',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'app.example.com',
    });
  });

  it('omits the host when the client sent none', () => {
    expect(
      forwardedHeaders({
        peerAddress: '::1',
        peerTrusted: true,
        incomingFor: undefined,
        protocol: 'http',
        host: undefined,
      }),
    ).toEqual({
      'x-forwarded-for': '::1',
      'x-forwarded-proto': 'http',
    });
  });
});
