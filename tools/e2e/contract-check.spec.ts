import { ContractCheck } from './contract-check';

const document = {
  paths: {
    '/api/v1/leads/{id}': {
      get: {
        responses: {
          '200': {
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/Lead' },
              },
            },
          },
          '404': { content: { 'application/problem+json': { schema: { type: 'object' } } } },
        },
      },
    },
    '/api/v1/leads/search': { get: { responses: { '204': {} } } },
  },
  components: {
    schemas: {
      Lead: {
        type: 'object',
        required: ['id', 'status'],
        properties: {
          id: { type: 'string' },
          status: { type: 'string', enum: ['new'] },
          note: { type: 'string', nullable: true },
        },
      },
    },
  },
};

describe('ContractCheck', () => {
  it('accepts answers the document describes, by the most specific route', () => {
    const check = new ContractCheck(document);
    check.check(
      'GET',
      '/api/v1/leads/1',
      200,
      'application/json; charset=utf-8',
      '{"id":"1","status":"new","note":null}',
    );
    check.check('GET', '/api/v1/leads/1', 404, 'application/problem+json', '{}');
    check.check('GET', '/api/v1/leads/search', 204, '', '');
    check.check('GET', '/api/v1/nothing', 404, 'application/problem+json', '{}');
    check.check('GET', '/readyz', 503, 'application/json', '{}');
    expect(check.violations).toEqual([]);
    expect(check.checked).toBe(4);
  });

  it('names each answer it does not describe: status, media type, schema, route', () => {
    const check = new ContractCheck(document);
    check.check('GET', '/api/v1/leads/1', 409, 'application/problem+json', '{}');
    check.check('GET', '/api/v1/leads/1', 200, 'text/plain', 'x');
    check.check('GET', '/api/v1/leads/1', 200, 'application/json', '{"id":"1","status":"old"}');
    check.check('POST', '/api/v1/leads/1', 201, 'application/json', '{}');
    expect(check.violations).toEqual([
      'GET /api/v1/leads/1 → 409: GET /api/v1/leads/{id} documents no 409',
      'GET /api/v1/leads/1 → 200: GET /api/v1/leads/{id} answers text/plain, documented application/json',
      expect.stringContaining('GET /api/v1/leads/1 → 200: GET /api/v1/leads/{id} body breaks its schema'),
      'POST /api/v1/leads/1 → 201: no operation in the contract',
    ]);
  });
});
