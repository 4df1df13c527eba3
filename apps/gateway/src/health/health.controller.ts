import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { GatewayReadiness } from './readiness.service';
import { ReadinessService } from './readiness.service';
import { Public } from '@leadflow/platform/auth';

/**
 * `/readyz`: every service behind the gateway is ready — 200 only when all are, else 503; the
 * JSON names each service either way. (`/healthz` comes from the service platform.)
 */
@Public()
@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('readyz')
  async ready(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<GatewayReadiness> {
    const result = await this.readiness.check(typeof req.id === 'string' ? req.id : undefined);
    res.status(result.status === 'ok' ? 200 : 503);
    return result;
  }
}
