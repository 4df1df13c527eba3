import { Public } from '@leadflow/platform/auth';
import { ApiCredentials, ApiProblems, RATE_LIMIT_HEADERS } from '@leadflow/platform/service';
import { Controller, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { IntakeAnswer } from './intake-answer';
import { answerIntake } from './intake-answer';
import type { IntakePost } from './intake.service';
import { IntakeService } from './intake.service';

/** Largest lead a vendor may post. */
export const INTAKE_BODY_LIMIT = '256kb';
export const INTAKE_PATH = '/webhooks/leads';

function header(req: Request, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' ? value : null;
}

/** A vendor's post as intake takes it: the raw body (read by the raw parser) and the headers it uses. */
export function intakePostOf(req: Request, webhookId: string): IntakePost {
  const body: unknown = req.body;
  return {
    webhookId,
    body: Buffer.isBuffer(body) ? body : Buffer.alloc(0),
    contentType: header(req, 'content-type'),
    providerId: header(req, 'x-provider-id'),
    providerKey: header(req, 'x-provider-key'),
    signature: header(req, 'leadflow-signature'),
    idempotencyKey: header(req, 'idempotency-key'),
    ip: req.ip ?? null,
    userAgent: header(req, 'user-agent'),
  };
}

type IntakeAnswerBody = IntakeAnswer['body'];

/** What intake answers for a stored lead (201) or one it already had (200). */
export class IntakeAnswerView implements IntakeAnswerBody {
  @ApiProperty({ format: 'uuid' })
  leadId!: string;

  @ApiProperty({ format: 'uuid' })
  contactId!: string;

  @ApiProperty({ description: 'The lead’s status' })
  status!: string;

  @ApiPropertyOptional({ enum: [true], description: '200 only: the lead was already stored' })
  duplicate?: true;

  @ApiPropertyOptional({ format: 'uuid', description: 'A duplicate of this earlier lead of the same person' })
  originalLeadId?: string;

  @ApiPropertyOptional({ enum: [true], description: 'The same post (Idempotency-Key or externalId) again' })
  replayed?: true;
}

/**
 * The route's contract, for OpenAPI and for posts the fast path (IntakeRoute, mounted ahead of
 * Nest's router) leaves to Nest; both hand the same post to IntakeService.
 */
@ApiTags('intake')
@Controller('webhooks/leads')
export class IntakeController {
  constructor(private readonly intake: IntakeService) {}

  @Post(':webhookId')
  @Public()
  @ApiOperation({
    summary: 'Post a lead (vendors)',
    description:
      'JSON or form-encoded, at most 256 KB. Authenticate with X-Provider-Id + X-Provider-Key, or sign with ' +
      'LeadFlow-Signature: t=<unix>,v1=hex(HMAC-SHA256(secret, "<t>.<raw body>")). 201: stored; 200: a lead ' +
      'already stored (same externalId/Idempotency-Key, or the same person and vertical within the window).',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ schema: { type: 'object', additionalProperties: true } })
  @ApiCredentials(['providerId', 'providerKey'], ['webhookSignature'])
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'The same key again answers 200, nothing stored twice',
  })
  @ApiCreatedResponse({
    description: 'Stored as a new lead',
    type: IntakeAnswerView,
    headers: RATE_LIMIT_HEADERS,
  })
  @ApiOkResponse({
    description: 'A lead already stored (duplicate or replay)',
    type: IntakeAnswerView,
    headers: RATE_LIMIT_HEADERS,
  })
  @ApiProblems(401, 403, 404, 410, 413, 415, 422, 423, 429, 503)
  async post(
    @Param('webhookId') webhookId: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<IntakeAnswer['body']> {
    const answer = await answerIntake(this.intake, intakePostOf(req, webhookId));
    res.status(answer.status).set(answer.headers);
    return answer.body;
  }
}
