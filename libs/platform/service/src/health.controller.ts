import { Controller, Get, HttpCode, Inject, Optional, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { HealthCheckResult, HealthIndicatorResult } from '@nestjs/terminus';
import { HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { MessagingLifecycle } from '@leadflow/platform/messaging';
import { DataSource } from 'typeorm';
import { Public } from '@leadflow/platform/auth';

export const SERVICE_NAME = Symbol('SERVICE_NAME');

/** `/healthz`: the process is alive. */
@Public()
@ApiExcludeController()
@Controller()
export class LivenessController {
  constructor(@Inject(SERVICE_NAME) private readonly service: string) {}

  @Get('healthz')
  @HttpCode(200)
  live(): { status: 'ok'; service: string; uptimeSeconds: number } {
    return { status: 'ok', service: this.service, uptimeSeconds: Math.round(process.uptime()) };
  }
}

/**
 * `/readyz`: PostgreSQL answers, every migration ran, and the Kafka broker answers — 200 only
 * when all hold; the JSON names each check either way.
 */
@Public()
@ApiExcludeController()
@Controller()
export class ReadinessController {
  constructor(
    @Inject(SERVICE_NAME) private readonly service: string,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Optional() private readonly db?: TypeOrmHealthIndicator,
    @Optional() private readonly dataSource?: DataSource,
    @Optional() private readonly messaging?: MessagingLifecycle,
  ) {}

  @Get('readyz')
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult & { service: string }> {
    const checks: (() => Promise<HealthIndicatorResult>)[] = [];
    const { db, dataSource, messaging } = this;
    if (db && dataSource) {
      checks.push(async () => db.pingCheck('database', { connection: dataSource, timeout: 3000 }));
      checks.push(async () => {
        const indicator = this.indicators.check('migrations');
        const pending = await dataSource.showMigrations();
        return pending ? indicator.down({ message: 'migrations are pending' }) : indicator.up();
      });
    }
    if (messaging) {
      checks.push(async () => {
        const indicator = this.indicators.check('kafka');
        try {
          await messaging.checkBroker();
          return indicator.up();
        } catch (error) {
          return indicator.down({ message: (error as Error).message });
        }
      });
    }
    try {
      return { service: this.service, ...(await this.health.check(checks)) };
    } catch (error) {
      res.status(503);
      const response = (error as { getResponse?: () => HealthCheckResult }).getResponse?.();
      if (response) return { service: this.service, ...response };
      throw error;
    }
  }
}
