import { Public, operatorTokenMatches } from '@leadflow/platform/auth';
import { Controller, Get, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { GatewayEnv } from '../config/env.schema';
import type { GatewayReadiness } from './readiness.service';
import { ReadinessService, publicReadiness } from './readiness.service';

/**
 * `/readyz`: 200 whenever the gateway can route (it has no state of its own to wait for), with
 * each service's state beside it. Anonymous callers get up/down per service; the operator
 * (`X-Operator-Token`) gets the details. (`/healthz` comes from the service platform.)
 */
@Public()
@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly env: GatewayEnv,
  ) {}

  @Get('readyz')
  async ready(@Req() req: Request): Promise<GatewayReadiness> {
    const result = await this.readiness.check(typeof req.id === 'string' ? req.id : undefined);
    return operatorTokenMatches(this.env.OPERATOR_TOKEN, req.headers['x-operator-token'])
      ? result
      : publicReadiness(result);
  }
}
