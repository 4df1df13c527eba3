import type { ExecutionContext } from '@nestjs/common';
import { createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';

/** Where a request came from, for throttling and the audit log. */
export interface ClientInfo {
  ip: string;
  userAgent: string | null;
}

/** The caller's IP (behind trusted proxies: the forwarded one) and user agent. */
export const Client = createParamDecorator((_data: unknown, ctx: ExecutionContext): ClientInfo => {
  const req = ctx.switchToHttp().getRequest<Request>();
  const agent = req.headers['user-agent'];
  return {
    ip: req.ip ?? req.socket.remoteAddress ?? 'unknown',
    userAgent: typeof agent === 'string' ? agent.slice(0, 500) : null,
  };
});
