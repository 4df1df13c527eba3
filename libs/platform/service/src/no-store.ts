import { Header, applyDecorators } from '@nestjs/common';

/** What {@link NoStore} sets: no cache (browser, proxy, CDN) keeps the answer, HTTP/1.0 ones included. */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
};

/**
 * For every route whose answer carries a token or a secret (sign-in, refresh, API keys, webhook
 * secrets, vendor keys...): the answer must never be stored by a cache on the way.
 */
export const NoStore = (): MethodDecorator =>
  applyDecorators(...Object.entries(NO_STORE_HEADERS).map(([name, value]) => Header(name, value)));
