import { answerProblem } from '@leadflow/platform/errors';
import { labelRoute } from '@leadflow/platform/observability';
import { Injectable, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { answerIntake } from './intake-answer';
import { INTAKE_PATH, intakePostOf } from './intake.controller';
import { IntakeService } from './intake.service';

const ROUTE = `${INTAKE_PATH}/:webhookId`;
/** What follows the mount point: one path segment, the webhook's id (a trailing slash allowed). */
const WEBHOOK_SEGMENT = /^\/([^/]+)\/?$/;

/**
 * The hot path of vendor posts: Express middleware mounted on `/webhooks/leads` right after the
 * request context and the raw body parser, ahead of Nest's router. It answers the post as
 * IntakeController would — the same IntakeService, the same problem+json (answerProblem) — without
 * Nest's routing, guards and interceptors or pino-http's per-request logger, which cost about a
 * sixth of intake's CPU per post. (The gateway logs every proxied request; intake logs what it
 * refuses.) Anything that is not a POST of one webhook id goes on to Nest.
 */
@Injectable()
export class IntakeRoute {
  private readonly logger = new Logger('IntakeRoute');

  constructor(private readonly intake: IntakeService) {}

  readonly handle = (req: Request, res: Response, next: NextFunction): void => {
    const segment = req.method === 'POST' ? WEBHOOK_SEGMENT.exec(req.path) : null;
    let webhookId: string;
    try {
      if (!segment) throw new URIError('not an intake post');
      webhookId = decodeURIComponent(segment[1]);
    } catch {
      next();
      return;
    }
    labelRoute(req, ROUTE);
    answerIntake(this.intake, intakePostOf(req, webhookId)).then(
      (answer) => {
        res.status(answer.status).set(answer.headers).json(answer.body);
      },
      (error: unknown) => answerProblem(error, req, res, this.logger),
    );
  };
}
