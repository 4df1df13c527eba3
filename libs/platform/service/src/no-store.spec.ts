import { Controller, Get, Post } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { NoStore } from './no-store';

@Controller()
class TokenController {
  @Post('token')
  @NoStore()
  token(): { accessToken: string } {
    return { accessToken: 'secret' };
  }

  @Get('plain')
  plain(): { ok: true } {
    return { ok: true };
  }
}

describe('NoStore', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [TokenController] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
  });

  it('answers Cache-Control: no-store (and Pragma: no-cache) on a decorated route only', async () => {
    const token = await fetch(`${base}/token`, { method: 'POST' });
    expect(token.status).toBe(201);
    expect(token.headers.get('cache-control')).toBe('no-store');
    expect(token.headers.get('pragma')).toBe('no-cache');
    const plain = await fetch(`${base}/plain`);
    expect(plain.headers.get('cache-control')).toBeNull();
  });
});
