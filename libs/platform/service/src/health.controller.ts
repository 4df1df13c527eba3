import { Public, operatorTokenMatches } from '@leadflow/platform/auth';
import { BaseServiceEnv } from '@leadflow/platform/config';
import { MessagingLifecycle } from '@leadflow/platform/messaging';
import { Controller, Get, HttpCode, Inject, Optional, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';

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

/** One check of `/readyz`; `message` (why it is down) only for the operator. */
export interface ReadinessCheck {
  status: 'up' | 'down';
  message?: string;
  [detail: string]: unknown;
}

export interface ServiceReadiness {
  /** `ok` (200): the service can serve requests; `error` (503): it cannot. */
  status: 'ok' | 'error';
  service: string;
  /** Every check by name: `database` and `migrations` decide readiness; `kafka` is reported only. */
  details: Record<string, ReadinessCheck>;
}

/**
 * `/readyz`: the service can serve requests — PostgreSQL answers and every migration ran (its
 * own state); 503 otherwise. The Kafka broker's state is reported beside them (`details.kafka`,
 * and the `messaging_broker_connected` gauge) but never unreadies the service: writes wait in the
 * outbox while the broker is away. Anonymous callers (probes, load balancers) get each check's
 * status; the operator (`X-Operator-Token`) also gets why a check failed and since when.
 */
@Public()
@ApiExcludeController()
@Controller()
export class ReadinessController {
  constructor(
    @Inject(SERVICE_NAME) private readonly service: string,
    private readonly env: BaseServiceEnv,
    @Optional() private readonly db?: TypeOrmHealthIndicator,
    @Optional() private readonly dataSource?: DataSource,
    @Optional() private readonly messaging?: MessagingLifecycle,
  ) {}

  @Get('readyz')
  async ready(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<ServiceReadiness> {
    const details: Record<string, ReadinessCheck> = {};
    const { db, dataSource, messaging } = this;
    if (db && dataSource) {
      const [database, migrations] = await Promise.all([
        Promise.resolve(db.pingCheck('database', { connection: dataSource, timeout: 3000 }))
          .then((result): ReadinessCheck => {
            const { status, message } = result.database as { status: string; message?: unknown };
            return status === 'up' ? { status: 'up' } : { status: 'down', message: String(message) };
          })
          .catch((error: unknown): ReadinessCheck => ({ status: 'down', message: (error as Error).message })),
        dataSource
          .showMigrations()
          .then((pending): ReadinessCheck =>
            pending ? { status: 'down', message: 'migrations are pending' } : { status: 'up' },
          )
          .catch((error: unknown): ReadinessCheck => ({ status: 'down', message: (error as Error).message })),
      ]);
      details.database = database;
      details.migrations = migrations;
    }
    const ready = Object.values(details).every((check) => check.status === 'up');
    if (messaging) {
      const broker = messaging.brokerStatus();
      details.kafka = {
        status: broker.connected ? 'up' : 'down',
        state: broker.state,
        since: broker.since,
        ...(broker.error ? { message: broker.error } : {}),
      };
    }
    if (!ready) res.status(503);
    const operator = operatorTokenMatches(this.env.OPERATOR_TOKEN, req.headers['x-operator-token']);
    return {
      status: ready ? 'ok' : 'error',
      service: this.service,
      details: operator
        ? details
        : Object.fromEntries(
            Object.entries(details).map(([name, check]) => [name, { status: check.status }]),
          ),
    };
  }
}
