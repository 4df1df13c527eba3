import type { OpenAPIObject } from '@nestjs/swagger';
import { completeDocument, operationIdOf } from './openapi';
import { propertyOptionsOf } from './validation-schema';

interface CompletedOperation {
  security?: unknown;
  parameters?: unknown;
  responses: Record<string, { description?: string; content?: unknown; headers?: object }>;
  [extension: string]: unknown;
}

/** Completes a document of these paths and answers its operations. */
const completed = (paths: object): Record<string, Record<string, CompletedOperation>> =>
  completeDocument({
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: paths as OpenAPIObject['paths'],
  }).paths as unknown as Record<string, Record<string, CompletedOperation>>;

describe('completeDocument', () => {
  it('derives security from the access rule: public [], operator token, user bearer, else bearer or API key', () => {
    const paths = completed({
      '/a': { get: { 'x-leadflow-public': true, responses: { 200: { description: '' } } } },
      '/admin/dlq': { get: { 'x-leadflow-operator': true, responses: { 200: { description: '' } } } },
      '/api/v1/me': { get: { 'x-leadflow-user': true, security: [{ bearer: [] }], responses: {} } },
      '/api/v1/leads': { get: { security: [{ bearer: [] }], responses: {} } },
    });
    expect(paths['/a'].get.security).toEqual([]);
    expect(paths['/admin/dlq'].get.security).toEqual([{ operatorToken: [] }]);
    expect(paths['/api/v1/me'].get.security).toEqual([{ bearer: [] }]);
    expect(paths['/api/v1/leads'].get.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
    expect(Object.keys(paths['/api/v1/leads'].get.responses)).toEqual(['401', '403', '429']);
    expect(paths['/a'].get.responses['200'].description).toBe('OK');
  });

  it('replaces inline limit/cursor by the shared parameters and answers invalid cursors with 400', () => {
    const paths = completed({
      '/api/v1/x/{id}': {
        get: {
          parameters: [
            { name: 'id', in: 'path', required: true },
            { name: 'limit', in: 'query' },
            { name: 'cursor', in: 'query' },
          ],
          responses: { 200: { description: '' } },
        },
      },
    });
    const op = paths['/api/v1/x/{id}'].get;
    expect(op.parameters).toEqual([
      { name: 'id', in: 'path', required: true },
      { $ref: '#/components/parameters/PageLimit' },
      { $ref: '#/components/parameters/PageCursor' },
    ]);
    expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '401', '403', '404', '422', '429']);
    expect(op.responses['200'].content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/Page' } },
    });
  });

  it('adds the problems a route declares with @ApiProblems, 429 with Retry-After and RateLimit-*', () => {
    const paths = completed({
      '/hook': { post: { 'x-leadflow-public': true, 'x-leadflow-problems': [423, 429], responses: {} } },
    });
    const op = paths['/hook'].post;
    expect(op['x-leadflow-problems']).toBeUndefined();
    expect(Object.keys(op.responses)).toEqual(['400', '423', '429']);
    expect(Object.keys(op.responses['429'].headers ?? {})).toEqual([
      'Retry-After',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
    ]);
  });

  it('names operations by controller and method', () => {
    expect(operationIdOf('ApiKeysController', 'list')).toBe('apiKeys_list');
  });
});

describe('propertyOptionsOf', () => {
  const rule = (name: string, constraints: unknown[] = [], each = false) => ({
    name,
    type: 'customValidation',
    constraints,
    each,
  });
  const optional = { name: undefined, type: 'conditionalValidation', constraints: [], each: false };

  it('turns class-validator rules into the schema they enforce', () => {
    expect(
      propertyOptionsOf([rule('isInt'), rule('min', [1]), rule('max', [200])], Number, undefined),
    ).toEqual({
      required: true,
      type: 'integer',
      minimum: 1,
      maximum: 200,
    });
    expect(propertyOptionsOf([optional, rule('isIn', [['a', 'b']], true)], Array, undefined)).toEqual({
      required: false,
      type: 'string',
      enum: ['a', 'b'],
      isArray: true,
    });
    expect(
      propertyOptionsOf(
        [{ ...optional, name: 'isOptional' }, rule('isString'), rule('maxLength', [5])],
        String,
        undefined,
      ),
    ).toEqual({ required: false, nullable: true, type: 'string', maxLength: 5 });
  });
});
