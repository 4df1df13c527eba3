import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The public contract as client generators read it: every service's document and the merged one,
 * produced from the built apps (npm test builds before the unit stage) by tools/openapi/contract.mjs.
 */
const ROOT = resolve(__dirname, '../..');
const PUBLIC_BASE_URL = 'https://leads.example.test';

interface Operation {
  operationId?: string;
  summary?: string;
  security?: Record<string, string[]>[];
  parameters?: { $ref?: string; name?: string; in?: string }[];
  responses: Record<
    string,
    {
      description?: string;
      content?: Record<string, { schema?: unknown }>;
      headers?: Record<string, unknown>;
    }
  >;
  [extension: `x-${string}`]: unknown;
}
interface Document {
  servers?: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: Record<string, { type: string; in?: string; name?: string; scheme?: string }>;
    schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }>;
    parameters: Record<string, { name: string; in: string }>;
  };
}

const SERVICES = [
  'gateway',
  'identity',
  'ingestion',
  'enrichment',
  'campaigns',
  'voice',
  'routing',
  'analytics',
];
let documents: Record<string, Document>;
let merged: Document;

beforeAll(() => {
  const run = spawnSync(process.execPath, [join(ROOT, 'tools/openapi/contract.mjs'), 'write'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PUBLIC_BASE_URL },
  });
  if (run.status !== 0) throw new Error(`contract.mjs failed:\n${run.stderr}`);
  const read = (name: string): Document =>
    JSON.parse(readFileSync(join(ROOT, 'tmp/openapi', `${name}.json`), 'utf8')) as Document;
  documents = Object.fromEntries(SERVICES.map((name) => [name, read(name)]));
  merged = read('leadflow');
}, 120_000);

const operationsOf = (document: Document): [string, Operation][] =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]): [string, Operation] => [`${method.toUpperCase()} ${path}`, op]),
  );

describe('the OpenAPI contract', () => {
  it('declares every security scheme an operation names, and each scheme the platform accepts', () => {
    for (const [name, document] of [...Object.entries(documents), ['merged', merged] as const]) {
      const schemes = document.components.securitySchemes;
      expect({ name, schemes: Object.keys(schemes).sort() }).toEqual({
        name,
        schemes: ['apiKey', 'bearer', 'operatorToken', 'providerId', 'providerKey', 'webhookSignature'],
      });
      for (const [route, op] of operationsOf(document)) {
        expect({ route, security: Array.isArray(op.security) }).toEqual({ route, security: true });
        for (const requirement of op.security ?? [])
          for (const scheme of Object.keys(requirement))
            expect({ route, scheme, declared: scheme in schemes }).toEqual({ route, scheme, declared: true });
      }
    }
    const headers = Object.values(merged.components.securitySchemes)
      .filter((s) => s.in === 'header')
      .map((s) => s.name);
    expect(headers.sort()).toEqual([
      'LeadFlow-Signature',
      'X-Api-Key',
      'X-Operator-Token',
      'X-Provider-Id',
      'X-Provider-Key',
    ]);
    expect(merged.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('gives every operation a unique operationId, a summary, described answers and its security', () => {
    for (const [name, document] of [...Object.entries(documents), ['merged', merged] as const]) {
      const ids = operationsOf(document).map(([, op]) => op.operationId);
      expect({ name, unique: new Set(ids).size === ids.length, missing: ids.filter((id) => !id) }).toEqual({
        name,
        unique: true,
        missing: [],
      });
      for (const [route, op] of operationsOf(document)) {
        expect({ route, summary: Boolean(op.summary) }).toEqual({ route, summary: true });
        for (const [status, answer] of Object.entries(op.responses))
          expect({ route, status, described: Boolean(answer.description) }).toEqual({
            route,
            status,
            described: true,
          });
        if (op['x-leadflow-public'] === true && op.security?.length === 0) continue;
        expect({ route, answers401: '401' in op.responses }).toEqual({ route, answers401: true });
      }
    }
  });

  it('answers problem+json for 4xx by one shared schema, shaped as the error filter writes it', () => {
    const problem = merged.components.schemas.Problem;
    expect(Object.keys(problem.properties ?? {}).sort()).toEqual([
      'code',
      'detail',
      'errors',
      'instance',
      'requestId',
      'status',
      'title',
      'type',
    ]);
    for (const [route, op] of operationsOf(merged)) {
      const problems = Object.entries(op.responses).filter(([status]) => status.startsWith('4'));
      // a public read without parameters (the JWKS, the docs) has no client error to give
      if (op.security?.length === 0 && !op.parameters && route.startsWith('GET ')) continue;
      expect({ route, has4xx: problems.length > 0 }).toEqual({ route, has4xx: true });
      for (const [status, answer] of problems)
        expect({ route, status, schema: answer.content?.['application/problem+json']?.schema }).toEqual({
          route,
          status,
          schema: { $ref: '#/components/schemas/Problem' },
        });
    }
  });

  it('names PUBLIC_BASE_URL as the server of the merged document; the others the gateway they are read from', () => {
    expect(merged.servers?.map((s) => s.url)).toEqual([PUBLIC_BASE_URL]);
    expect(documents.ingestion.servers?.map((s) => s.url)).toEqual([PUBLIC_BASE_URL]);
    for (const service of SERVICES.filter((s) => s !== 'ingestion'))
      expect({ service, servers: documents[service].servers?.map((s) => s.url) }).toEqual({
        service,
        servers: ['/'],
      });
  });

  it('describes cursor pagination once, referenced by every list', () => {
    expect(merged.components.parameters.PageLimit).toMatchObject({ name: 'limit', in: 'query' });
    expect(merged.components.parameters.PageCursor).toMatchObject({ name: 'cursor', in: 'query' });
    const lists = operationsOf(merged).filter(([, op]) =>
      (op.parameters ?? []).some((p) => p.$ref === '#/components/parameters/PageCursor'),
    );
    expect(lists.map(([route]) => route)).toEqual(
      expect.arrayContaining(['GET /api/v1/leads', 'GET /api/v1/webhooks']),
    );
    for (const [route, op] of operationsOf(merged))
      expect({
        route,
        inline: (op.parameters ?? []).filter((p) => p.name === 'cursor' || p.name === 'limit'),
      }).toEqual({
        route,
        inline: [],
      });
  });

  it('keeps operator routes to their port: X-Operator-Token, and none of them in the merged document', () => {
    for (const service of SERVICES.filter((s) => s !== 'gateway')) {
      const dlq = documents[service].paths['/admin/dlq']?.get;
      expect({ service, security: dlq?.security }).toEqual({ service, security: [{ operatorToken: [] }] });
    }
    const operatorRoutes = operationsOf(merged).filter(([, op]) => op['x-leadflow-operator'] === true);
    expect(operatorRoutes.map(([route]) => route)).toEqual([]);
  });

  it('documents intake as vendors see it: 201 new, 200 duplicate, its credentials and its refusals', () => {
    const post = merged.paths['/webhooks/leads/{webhookId}'].post;
    expect(post.security).toEqual([{ providerId: [], providerKey: [] }, { webhookSignature: [] }]);
    for (const status of ['200', '201'])
      expect(post.responses[status].content?.['application/json']?.schema).toEqual({
        $ref: '#/components/schemas/IntakeAnswerView',
      });
    expect(Object.keys(post.responses).sort()).toEqual(
      ['200', '201', '400', '401', '403', '404', '410', '413', '415', '422', '423', '429', '503'].sort(),
    );
    expect(Object.keys(post.responses['429'].headers ?? {})).toEqual(
      expect.arrayContaining(['Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']),
    );
  });

  it('describes the body of every success answer (204 and the 202 of a password reset have none)', () => {
    for (const [route, op] of operationsOf(merged))
      for (const [status, answer] of Object.entries(op.responses)) {
        if (!status.startsWith('2') || status === '204' || route === 'POST /api/v1/password-resets') continue;
        const schema = Object.values(answer.content ?? {})[0]?.schema;
        expect({ route, status, schema: schema !== undefined }).toEqual({ route, status, schema: true });
      }
    const lead = merged.paths['/api/v1/leads'].get.responses['200'].content?.['application/json']?.schema;
    expect(lead).toMatchObject({
      required: ['items', 'nextCursor'],
      properties: { items: { type: 'array', items: { $ref: '#/components/schemas/LeadView' } } },
    });
    expect(merged.components.schemas.LeadView.required).toEqual(
      expect.arrayContaining(['id', 'status', 'contactId']),
    );
  });

  it('has response schemas generated from the current return types of the routes', () => {
    const check = spawnSync(process.execPath, [join(ROOT, 'tools/openapi/response-schemas.mjs'), '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  }, 120_000);

  it('describes request bodies and query filters by the rules the validation pipe enforces', () => {
    const create = merged.components.schemas.CreateWebhookDto;
    expect(create.required?.sort()).toEqual(['name', 'vertical', 'workspaceId']);
    expect(create.properties?.dedupWindowHours).toEqual({ type: 'integer', minimum: 0, maximum: 8760 });
    // a free-form map takes members (a generated client must be able to send a field mapping)
    expect(create.properties?.fieldMapping).toEqual({ type: 'object', additionalProperties: true });
    const status = merged.paths['/api/v1/leads'].get.parameters?.find((p) => p.name === 'status');
    expect(status).toMatchObject({ in: 'query', required: false });
  });
});
