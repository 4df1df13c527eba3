import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * A client generator accepts the contract: openapi-typescript turns the merged document into
 * TypeScript, and a call of every route of the public contract — its path parameters, a body its
 * schema requires, and the body it answers — type-checks against the generated types.
 */
const ROOT = resolve(__dirname, '../..');
const OUT = join(ROOT, 'tmp/openapi/client');

interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  allOf?: Schema[];
  anyOf?: Schema[];
  format?: string;
  minimum?: number;
  minLength?: number;
  minItems?: number;
}
interface Operation {
  operationId: string;
  parameters?: { $ref?: string; name?: string; in?: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: Schema }>; required?: boolean };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const run = (command: string, args: string[]) =>
  spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

/** A value its schema accepts (required members only), as TypeScript source. */
function sample(document: Document, schema: Schema, depth = 0): string {
  if (schema.$ref)
    return sample(document, document.components.schemas[schema.$ref.split('/').pop()!], depth + 1);
  if (schema.allOf?.length) return sample(document, schema.allOf[0], depth + 1);
  if (schema.anyOf?.length) return sample(document, schema.anyOf[0], depth + 1);
  if (schema.enum?.length) return JSON.stringify(schema.enum.find((v) => v !== null) ?? null);
  switch (schema.type) {
    case 'string':
      return JSON.stringify(
        schema.format === 'uuid' ? '00000000-0000-4000-8000-000000000000' : 'x'.repeat(schema.minLength ?? 1),
      );
    case 'integer':
    case 'number':
      return String(schema.minimum ?? 1);
    case 'boolean':
      return 'true';
    case 'array':
      return schema.minItems && schema.items ? `[${sample(document, schema.items, depth + 1)}]` : '[]';
    case undefined:
    default: {
      if (depth > 8) return '{}';
      const members = (schema.required ?? []).map(
        (name) => `${JSON.stringify(name)}: ${sample(document, schema.properties?.[name] ?? {}, depth + 1)}`,
      );
      return `{ ${members.join(', ')} }`;
    }
  }
}

/** The calls file: a typed `call` over the generated `paths`, and one call per operation. */
function callsOf(document: Document): string {
  const lines = [
    "import type { paths } from './leadflow';",
    '',
    "type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';",
    'type Op<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;',
    'type Params<O> = O extends { parameters: infer X } ? X : never;',
    "type Body<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;",
    'type Answers<O> = O extends { responses: infer R } ? R : never;',
    "type Success<R> = { [S in keyof R]: S extends 200 | 201 | 202 | '200' | '201' | '202' ? R[S] : never }[keyof R];",
    "type Json<A> = A extends { content: { 'application/json': infer B } } ? B : never;",
    'type IsNever<T> = [T] extends [never] ? true : false;',
    'declare function call<P extends keyof paths, M extends Method>(',
    '  path: P,',
    '  method: M,',
    '  request: { params: Params<Op<P, M>>; body?: Body<Op<P, M>> },',
    '): Promise<Json<Success<Answers<Op<P, M>>>>>;',
    '',
  ];
  for (const [path, item] of Object.entries(document.paths))
    for (const [method, op] of Object.entries(item)) {
      const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name!);
      const params = `{ ${pathParams.length > 0 ? `path: { ${pathParams.map((n) => `${JSON.stringify(n)}: 'id'`).join(', ')} }` : ''} }`;
      const json = op.requestBody?.content['application/json']?.schema;
      const body = json ? `, body: ${sample(document, json)}` : '';
      const answers = Object.entries(op.responses).filter(([status]) =>
        ['200', '201', '202'].includes(status),
      );
      const answersJson = answers.some(([, answer]) => answer.content?.['application/json']);
      lines.push(`export async function ${op.operationId.replace(/[^A-Za-z0-9_]/g, '_')}(): Promise<void> {`);
      lines.push(
        `  const answer = await call(${JSON.stringify(path)}, '${method}', { params: ${params}${body} });`,
      );
      // a JSON answer must be typed (not `never`): the generated client knows what it gets back
      lines.push(answersJson ? '  const typed: IsNever<typeof answer> = false;' : '  const typed = true;');
      lines.push('  void [answer, typed];', '}', '');
    }
  return lines.join('\n');
}

describe('a client generated from the contract', () => {
  it('type-checks a call of every public route', () => {
    const contract = run(process.execPath, [join(ROOT, 'tools/openapi/contract.mjs'), 'write']);
    expect(contract.stderr).toBe('');
    const document = JSON.parse(readFileSync(join(ROOT, 'tmp/openapi/leadflow.json'), 'utf8')) as Document;
    const generator = join(ROOT, 'node_modules/.bin/openapi-typescript');
    if (!existsSync(generator))
      throw new Error('openapi-typescript is missing: it is a pinned devDependency; run npm install');
    mkdirSync(OUT, { recursive: true });
    const generated = run(generator, [
      join(ROOT, 'tmp/openapi/leadflow.json'),
      '-o',
      join(OUT, 'leadflow.ts'),
    ]);
    expect({ status: generated.status, stderr: generated.status === 0 ? '' : generated.stderr }).toEqual({
      status: 0,
      stderr: '',
    });
    writeFileSync(join(OUT, 'calls.ts'), callsOf(document));
    writeFileSync(
      join(OUT, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          target: 'es2022',
          module: 'commonjs',
          types: [],
        },
        files: ['calls.ts'],
      }),
    );
    const tsc = run(join(ROOT, 'node_modules/.bin/tsc'), ['-p', OUT]);
    expect(tsc.stdout).toBe('');
    expect(tsc.status).toBe(0);
    const calls = readFileSync(join(OUT, 'calls.ts'), 'utf8').match(/^export async function/gm) ?? [];
    const operations = Object.values(document.paths).flatMap((item) => Object.keys(item));
    expect(calls).toHaveLength(operations.length);
  }, 180_000);
});
