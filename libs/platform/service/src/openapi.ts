import type { INestApplication } from '@nestjs/common';
import { applyDecorators } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { ApiExtension, ApiSecurity, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { describeValidatedClasses } from './validation-schema';

/**
 * The public contract's shared parts, declared once: the security schemes every route may name,
 * the problem+json schema, the rate-limit headers and the cursor-pagination parameters. Every
 * service's document (and the gateway's merged one) is built by `buildServiceDocument` and then
 * completed by `completeDocument`, which derives what a route does not say from what it is:
 * its security from its access rule (`@Public`, `@OperatorOnly`, `@RequireUser`...), its
 * generic problem answers from its security and parameters, its pagination from `limit`/`cursor`.
 */

/** Security schemes, by the name operations reference. */
export const SecuritySchemes = {
  /** RS256 access token signed by identity (`Authorization: Bearer ...`). */
  bearer: 'bearer',
  /** An API key (`X-Api-Key`), exchanged by the gateway for a short-lived token. */
  apiKey: 'apiKey',
  /** A lead provider's id and key, sent together (`X-Provider-Id` + `X-Provider-Key`). */
  providerId: 'providerId',
  providerKey: 'providerKey',
  /** `LeadFlow-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. */
  webhookSignature: 'webhookSignature',
  /** Platform operators (`X-Operator-Token`), on a service's own port only. */
  operatorToken: 'operatorToken',
} as const;

export const PROBLEM_SCHEMA = 'Problem';
export const PAGE_LIMIT_PARAMETER = 'PageLimit';
export const PAGE_CURSOR_PARAMETER = 'PageCursor';
const PROBLEM_PROBLEMS_EXTENSION = 'x-leadflow-problems';

/** Problem answers the platform gives, and when (see README "Errors"). */
const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Unparsable body (`malformed_body`) or a cursor the API did not issue (`invalid_cursor`)',
  401: 'Missing or invalid credentials (with a challenge in `WWW-Authenticate`)',
  403: 'The credentials lack the role or scope this route needs',
  404: 'No such resource in the caller’s organization',
  409: 'Conflicts with the resource’s current state',
  410: 'The resource is gone for good',
  413: 'The body, or an event it would produce, is too large',
  415: 'Unsupported content type',
  422: 'Validation failed: `errors` names each field and the rule it broke',
  423: 'The resource is locked (a paused webhook): nothing was stored',
  429: 'Rate limit or quota reached: retry after `Retry-After` seconds',
  503: 'A dependency is unavailable: retry after `Retry-After` seconds',
};

/**
 * Problem answers a route gives besides those derived from its security and parameters
 * (401/403, 404, 400/422): e.g. `@ApiProblems(409)` for a state conflict, `@ApiProblems(413, 423, 429)`.
 */
export const ApiProblems = (...statuses: number[]): MethodDecorator & ClassDecorator =>
  ApiExtension(PROBLEM_PROBLEMS_EXTENSION, statuses);

/**
 * A public route that authenticates otherwise than with a tenant token: each argument is one
 * alternative, a list of schemes sent together (e.g. the provider key pair, or the signature).
 */
export const ApiCredentials = (
  ...alternatives: (keyof typeof SecuritySchemes)[][]
): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ...alternatives.map((schemes) => ApiSecurity(Object.fromEntries(schemes.map((s) => [s, []])))),
  );

const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);

/** `LeadsController.list` → `leads_list`: unique per service, checked unique across the merged document. */
export function operationIdOf(controllerKey: string, methodKey: string): string {
  return `${lowerFirst(controllerKey.replace(/Controller$/, ''))}_${methodKey}`;
}

/**
 * What a service's routes answer, as JSON Schema read from their return types by
 * tools/openapi/response-schemas.mjs (`apps/<service>/src/openapi-responses.generated.ts`):
 * `responses` by `Controller.method`, and the named views they reference.
 */
export interface ResponseSchemas {
  responses: Record<string, object>;
  schemas: Record<string, object>;
}

export interface ServiceDocumentInfo {
  title: string;
  description: string;
  responses?: ResponseSchemas;
  /**
   * The gateway's public origin (`PUBLIC_BASE_URL`, a setting of the services that show public
   * URLs: ingestion): the one server clients call. Without it the server is `/`, the origin the
   * document is read from (the gateway serves every document); the merged one takes the origin.
   */
  publicBaseUrl?: string;
}

/** The service's OpenAPI document, complete (see `completeDocument`). */
export function buildServiceDocument(app: INestApplication, info: ServiceDocumentInfo): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(info.title)
    .setDescription(info.description)
    .setVersion('1')
    .setLicense('Proprietary', `${info.publicBaseUrl ?? ''}/docs`)
    .addServer(info.publicBaseUrl ?? '/', 'The LeadFlow gateway')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'Access token from /api/v1/auth/login',
      },
      SecuritySchemes.bearer,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-Api-Key',
        description: 'An API key (exchanged by the gateway)',
      },
      SecuritySchemes.apiKey,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-Provider-Id',
        description: 'Lead provider id (with X-Provider-Key)',
      },
      SecuritySchemes.providerId,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-Provider-Key',
        description: 'Lead provider key (with X-Provider-Id)',
      },
      SecuritySchemes.providerKey,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'LeadFlow-Signature',
        description:
          't=<unix seconds>,v1=<hex HMAC-SHA256(webhook secret, "<t>.<raw body>")>, within 300 s, once',
      },
      SecuritySchemes.webhookSignature,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-Operator-Token',
        description: 'Platform operators only (OPERATOR_TOKEN), on the service’s own port',
      },
      SecuritySchemes.operatorToken,
    )
    .build();
  describeValidatedClasses();
  const routes = new Map<string, string>();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey) => {
      const id = operationIdOf(controllerKey, methodKey);
      routes.set(id, `${controllerKey}.${methodKey}`);
      return id;
    },
  });
  if (info.responses) addResponseSchemas(document, info.responses, routes);
  return completeDocument(document);
}

type Json = Record<string, unknown>;

/** Each 2xx answer without a body schema gets its route's (204s have no body). */
function addResponseSchemas(
  document: OpenAPIObject,
  answers: ResponseSchemas,
  routes: Map<string, string>,
): void {
  const components = (document.components ??= {});
  components.schemas = { ...components.schemas, ...(answers.schemas as Record<string, Json>) };
  for (const item of Object.values(document.paths))
    for (const method of HTTP_METHODS) {
      const op = (item as Record<string, Operation | undefined>)[method];
      const schema = op?.operationId
        ? answers.responses[routes.get(op.operationId as string) ?? '']
        : undefined;
      if (!op || !schema) continue;
      for (const [status, response] of Object.entries(op.responses))
        if (status.startsWith('2') && status !== '204' && response.content === undefined)
          response.content = { 'application/json': { schema } };
    }
}
interface Operation extends Json {
  parameters?: (Json & { name?: string; in?: string })[];
  requestBody?: unknown;
  responses: Record<string, Json>;
  security?: Record<string, string[]>[];
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** `RateLimit-*` answer headers, by reference (for `@ApiResponse({ headers })`). */
export const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': { $ref: '#/components/headers/RateLimit-Limit' },
  'RateLimit-Remaining': { $ref: '#/components/headers/RateLimit-Remaining' },
  'RateLimit-Reset': { $ref: '#/components/headers/RateLimit-Reset' },
};

/** The shared components every document carries (idempotent). */
function addComponents(document: OpenAPIObject): void {
  const components = (document.components ??= {});
  components.schemas = {
    ...components.schemas,
    FieldError: {
      type: 'object',
      required: ['field', 'rule', 'message'],
      properties: {
        field: { type: 'string', description: 'Dotted path of the field, e.g. `consent.timestamp`' },
        rule: { type: 'string', description: 'The rule it broke, e.g. `isEmail`, `required`' },
        message: { type: 'string' },
      },
    },
    [PROBLEM_SCHEMA]: {
      type: 'object',
      description: 'RFC 9457 problem details',
      required: ['type', 'title', 'status', 'detail', 'code'],
      properties: {
        type: { type: 'string', format: 'uri' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        code: { type: 'string', description: 'Stable machine-readable code, e.g. `validation_failed`' },
        instance: { type: 'string' },
        requestId: { type: 'string' },
        errors: { type: 'array', items: { $ref: '#/components/schemas/FieldError' } },
      },
      additionalProperties: true,
    },
  };
  components.parameters = {
    ...components.parameters,
    [PAGE_LIMIT_PARAMETER]: {
      name: 'limit',
      in: 'query',
      required: false,
      description: 'Page size',
      schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    },
    [PAGE_CURSOR_PARAMETER]: {
      name: 'cursor',
      in: 'query',
      required: false,
      description:
        'The `nextCursor` of the previous page (one the API did not issue answers 400 `invalid_cursor`)',
      schema: { type: 'string', maxLength: 500 },
    },
  };
  components.headers = {
    ...components.headers,
    'RateLimit-Limit': { description: 'Requests allowed in the window', schema: { type: 'integer' } },
    'RateLimit-Remaining': { description: 'Requests left in the window', schema: { type: 'integer' } },
    'RateLimit-Reset': { description: 'Seconds until the window resets', schema: { type: 'integer' } },
    'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
  };
}

function problemResponse(status: number): Json {
  const response: Json = {
    description: PROBLEM_DESCRIPTIONS[status] ?? STATUS_CODES[status] ?? 'Error',
    content: { 'application/problem+json': { schema: { $ref: `#/components/schemas/${PROBLEM_SCHEMA}` } } },
  };
  if (status === 429)
    response.headers = { 'Retry-After': { $ref: '#/components/headers/Retry-After' }, ...RATE_LIMIT_HEADERS };
  if (status === 503) response.headers = { 'Retry-After': { $ref: '#/components/headers/Retry-After' } };
  return response;
}

/** Access rule of an operation, from the extensions the auth decorators write. */
function securityOf(op: Operation): Record<string, string[]>[] {
  const declared = (op.security ?? []).filter((req) => !(SecuritySchemes.bearer in req));
  if (op['x-leadflow-operator'] === true) return [{ [SecuritySchemes.operatorToken]: [] }];
  if (declared.length > 0) return declared;
  if (op['x-leadflow-public'] === true) return [];
  if (op['x-leadflow-user'] === true) return [{ [SecuritySchemes.bearer]: [] }];
  return [{ [SecuritySchemes.bearer]: [] }, { [SecuritySchemes.apiKey]: [] }];
}

function completeOperation(path: string, method: string, op: Operation): void {
  op.security = securityOf(op);
  const params = (op.parameters ??= []);
  const paged = params.some((p) => p.in === 'query' && p.name === 'cursor');
  if (paged) {
    op.parameters = [
      ...params.filter((p) => !(p.in === 'query' && (p.name === 'cursor' || p.name === 'limit'))),
      { $ref: `#/components/parameters/${PAGE_LIMIT_PARAMETER}` },
      { $ref: `#/components/parameters/${PAGE_CURSOR_PARAMETER}` },
    ];
  }
  if (op.parameters.length === 0) delete op.parameters;

  const problems = new Set<number>((op[PROBLEM_PROBLEMS_EXTENSION] as number[] | undefined) ?? []);
  delete op[PROBLEM_PROBLEMS_EXTENSION];
  if (op.security.length > 0) {
    problems.add(401);
    if (op['x-leadflow-operator'] !== true && !op.security.some((r) => SecuritySchemes.providerKey in r))
      problems.add(403);
  }
  if (params.some((p) => p.in === 'path')) {
    problems.add(404);
    problems.add(400); // a malformed id (not a UUID)
  }
  // Any body sent to a write is parsed first: an unparsable one answers 400 `malformed_body`.
  if (method !== 'get' && method !== 'head') problems.add(400);
  if (op.requestBody !== undefined) {
    problems.add(400);
    problems.add(413); // a body over the limit, or an event over OUTBOX_MAX_EVENT_BYTES
    problems.add(422);
  }
  if (params.some((p) => p.in === 'query')) problems.add(422);
  if (paged) problems.add(400);
  // The gateway limits API traffic per client (vendor webhooks have their own limits in ingestion).
  if (path.startsWith('/api/v1/') && op['x-leadflow-operator'] !== true) problems.add(429);
  for (const status of [...problems].sort((a, b) => a - b))
    op.responses[String(status)] ??= problemResponse(status);

  for (const [status, response] of Object.entries(op.responses)) {
    if (!response.description) response.description = STATUS_CODES[Number(status)] ?? 'Answer';
    if (status.startsWith('2') && paged && response.content === undefined)
      response.content = { 'application/json': { schema: { $ref: '#/components/schemas/Page' } } };
  }
}

/**
 * Drops the components nothing references any more (from the paths, directly or through other
 * components): unused shared parts, or a merged document's left-out routes' views. Security
 * schemes stay: they are the list of what the platform accepts.
 */
export function pruneComponents(document: OpenAPIObject): OpenAPIObject {
  const components = document.components as Record<string, Record<string, unknown> | undefined> | undefined;
  if (!components) return document;
  const used = new Set<string>();
  const pending: unknown[] = [document.paths];
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) pending.push(...(value as unknown[]));
    else if (value && typeof value === 'object')
      for (const [key, member] of Object.entries(value)) {
        if (
          key === '$ref' &&
          typeof member === 'string' &&
          member.startsWith('#/components/') &&
          !used.has(member)
        ) {
          used.add(member);
          const [, , kind, name] = member.split('/');
          pending.push(components[kind]?.[name]);
        } else pending.push(member);
      }
  }
  for (const [kind, entries] of Object.entries(components)) {
    if (kind === 'securitySchemes' || !entries) continue;
    for (const name of Object.keys(entries))
      if (!used.has(`#/components/${kind}/${name}`)) delete entries[name];
    if (Object.keys(entries).length === 0) delete components[kind];
  }
  return document;
}

/**
 * Completes a document Nest built: shared components, each operation's security (or `[]` for a
 * public one), its pagination parameters by reference, its problem answers, and a description
 * for every answer. Idempotent.
 */
export function completeDocument(document: OpenAPIObject): OpenAPIObject {
  addComponents(document);
  let paged = false;
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      completeOperation(path, method, op);
      paged ||= (op.parameters ?? []).some(
        (p) => p.$ref === `#/components/parameters/${PAGE_CURSOR_PARAMETER}`,
      );
    }
  }
  if (paged)
    document.components!.schemas!.Page = {
      type: 'object',
      description: 'One page of a list, oldest or newest first as the route says',
      required: ['items', 'nextCursor'],
      properties: {
        items: { type: 'array', items: { type: 'object' } },
        nextCursor: {
          type: 'string',
          nullable: true,
          description: 'Pass as `cursor` for the next page; null on the last',
        },
      },
    };
  return pruneComponents(document);
}
