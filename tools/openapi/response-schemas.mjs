// Response schemas for the OpenAPI documents, read from the code itself: the TypeScript compiler
// resolves what each route returns (its view interfaces, `Page<T>` answers...), and this writes
// them as JSON Schema into `apps/<service>/src/openapi-responses.generated.ts`, which each service
// definition hands to the shared document builder (libs/platform/service/src/openapi.ts). Views
// stay plain interfaces, written once; a route whose answer changes changes its schema here.
//
//   node tools/openapi/response-schemas.mjs          → rewrites the generated files
//   node tools/openapi/response-schemas.mjs --check  → exits 1 naming the files that are stale
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(join(ROOT, 'package.json'));
const ts = require('typescript');

export const SERVICES = [
  'gateway',
  'identity',
  'ingestion',
  'enrichment',
  'campaigns',
  'voice',
  'routing',
  'analytics',
];
const ROUTE_DECORATORS = new Set(['Get', 'Post', 'Put', 'Patch', 'Delete']);
/** Answers that are not JSON bodies (files, streams, raw documents) get no schema. */
const OPAQUE = new Set(['StreamableFile', 'Buffer', 'Readable', 'OpenAPIObject']);

function program() {
  const configPath = join(ROOT, 'tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  );
  const files = parsed.fileNames.filter((f) => /\.controller\.ts$/.test(f) && !/\.spec\.ts$/.test(f));
  return ts.createProgram(files, { ...parsed.options, noEmit: true });
}

function decoratorName(decorator) {
  const call = decorator.expression;
  return ts.isCallExpression(call) && ts.isIdentifier(call.expression) ? call.expression.text : undefined;
}

class SchemaWriter {
  constructor(checker) {
    this.checker = checker;
    this.components = {};
  }

  /** Whether a named type is one of ours (a view worth a component), not a library's or the language's. */
  ownNamed(type) {
    const symbol = type.aliasSymbol ?? type.symbol;
    if (!symbol || type.aliasTypeArguments?.length || type.typeArguments?.length) return undefined;
    const name = symbol.getName();
    if (!/^[A-Z]/.test(name) || name.startsWith('__')) return undefined;
    const declaration = symbol.declarations?.[0];
    const file = declaration?.getSourceFile().fileName ?? '';
    if (file.includes('node_modules') || !file.startsWith(ROOT)) return undefined;
    if (!(
      ts.isInterfaceDeclaration(declaration) ||
      ts.isTypeAliasDeclaration(declaration) ||
      ts.isClassDeclaration(declaration)
    ))
      return undefined;
    return name;
  }

  schema(type, depth = 0) {
    const { checker } = this;
    if (depth > 12) return {};
    const flags = type.flags;
    if (flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {};
    if (flags & ts.TypeFlags.String) return { type: 'string' };
    if (flags & ts.TypeFlags.Number) return { type: 'number' };
    if (flags & ts.TypeFlags.Boolean) return { type: 'boolean' };
    if (flags & ts.TypeFlags.StringLiteral) return { type: 'string', enum: [type.value] };
    if (flags & ts.TypeFlags.NumberLiteral) return { type: 'number', enum: [type.value] };
    if (flags & ts.TypeFlags.BooleanLiteral)
      return { type: 'boolean', enum: [checker.typeToString(type) === 'true'] };
    if (flags & ts.TypeFlags.Null) return { nullable: true };
    if (type.isUnion()) return this.union(type, depth);
    const named = this.ownNamed(type);
    if (named && depth > 0) {
      if (!(named in this.components)) {
        this.components[named] = {};
        this.components[named] = this.object(type, depth);
      }
      return { $ref: `#/components/schemas/${named}` };
    }
    return this.object(type, depth);
  }

  union(type, depth) {
    const parts = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
    const nullable = parts.some((t) => t.flags & ts.TypeFlags.Null);
    const rest = parts.filter((t) => !(t.flags & ts.TypeFlags.Null));
    let schema;
    if (rest.length > 0 && rest.every((t) => t.flags & ts.TypeFlags.BooleanLiteral))
      schema = { type: 'boolean' };
    else if (rest.length > 0 && rest.every((t) => t.flags & ts.TypeFlags.StringLiteral))
      schema = { type: 'string', enum: rest.map((t) => t.value) };
    else if (rest.length > 0 && rest.every((t) => t.flags & ts.TypeFlags.NumberLiteral))
      schema = { type: 'number', enum: rest.map((t) => t.value) };
    else if (rest.length === 1) schema = this.schema(rest[0], depth + 1);
    else schema = { anyOf: rest.map((t) => this.schema(t, depth + 1)) };
    if (!nullable) return schema;
    // OpenAPI 3.0.3: `nullable` only widens the `type` beside it, so a `$ref` (or an `allOf` of one)
    // still refuses null. "A view or null" is anyOf the view and a schema that takes only null.
    const onlyNull = { type: 'object', nullable: true, enum: [null] };
    if (schema.$ref) return { anyOf: [schema, onlyNull] };
    if (schema.anyOf)
      return {
        anyOf: [...schema.anyOf.map((m) => (m.$ref ? m : { ...m, nullable: true })), onlyNull],
      };
    if (schema.enum) schema.enum = [...schema.enum, null];
    return { ...schema, nullable: true };
  }

  object(type, depth) {
    const { checker } = this;
    const name = (type.aliasSymbol ?? type.symbol)?.getName();
    if (name === 'Date') return { type: 'string', format: 'date-time' };
    if (checker.isArrayType(type) || checker.isTupleType(type)) {
      const [item] = checker.getTypeArguments(type);
      return { type: 'array', items: item ? this.schema(item, depth + 1) : {} };
    }
    const schema = { type: 'object' };
    const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
    if (index) schema.additionalProperties = this.schema(index.type, depth + 1);
    const properties = {};
    const required = [];
    for (const property of checker.getPropertiesOfType(type)) {
      const declaration = property.valueDeclaration ?? property.declarations?.[0];
      if (declaration && (ts.isMethodDeclaration(declaration) || ts.isMethodSignature(declaration))) continue;
      const propertyType = checker.getTypeOfSymbol(property);
      properties[property.getName()] = this.schema(propertyType, depth + 1);
      if (!(property.flags & ts.SymbolFlags.Optional)) required.push(property.getName());
    }
    if (Object.keys(properties).length > 0) schema.properties = properties;
    if (required.length > 0) schema.required = required;
    return schema;
  }
}

/** `{ [service]: { responses: { 'Controller.method': schema }, schemas } }` from the controllers. */
export function collectResponseSchemas() {
  const prog = program();
  const checker = prog.getTypeChecker();
  const writers = {};
  const out = {};
  const servicesOf = (file) => {
    const rel = relative(ROOT, file);
    const app = /^apps\/([^/]+)\//.exec(rel)?.[1];
    if (app) return [app];
    return rel.startsWith('libs/') ? SERVICES : [];
  };
  for (const source of prog.getSourceFiles()) {
    if (!/\.controller\.ts$/.test(source.fileName) || !source.fileName.startsWith(ROOT)) continue;
    if (source.fileName.includes('node_modules')) continue;
    for (const statement of source.statements) {
      if (!ts.isClassDeclaration(statement) || !statement.name) continue;
      const decorators = ts.getDecorators(statement) ?? [];
      if (!decorators.some((d) => decoratorName(d) === 'Controller')) continue;
      if (decorators.some((d) => decoratorName(d) === 'ApiExcludeController')) continue;
      for (const member of statement.members) {
        if (!ts.isMethodDeclaration(member) || !member.name || !ts.isIdentifier(member.name)) continue;
        const memberDecorators = ts.getDecorators(member) ?? [];
        if (!memberDecorators.some((d) => ROUTE_DECORATORS.has(decoratorName(d)))) continue;
        if (memberDecorators.some((d) => decoratorName(d) === 'ApiExcludeEndpoint')) continue;
        const signature = checker.getSignatureFromDeclaration(member);
        if (!signature) continue;
        const answer = checker.getAwaitedType(checker.getReturnTypeOfSignature(signature));
        if (
          !answer ||
          answer.flags &
            (ts.TypeFlags.Void | ts.TypeFlags.Undefined | ts.TypeFlags.Unknown | ts.TypeFlags.Any)
        )
          continue;
        const answerName = (answer.aliasSymbol ?? answer.symbol)?.getName();
        if (OPAQUE.has(answerName)) continue;
        for (const service of servicesOf(source.fileName)) {
          writers[service] ??= new SchemaWriter(checker);
          out[service] ??= { responses: {}, schemas: {} };
          const writer = writers[service];
          const named = writer.ownNamed(answer);
          out[service].responses[`${statement.name.text}.${member.name.text}`] = named
            ? writer.schema(answer, 1)
            : writer.schema(answer, 0);
        }
      }
    }
  }
  for (const service of Object.keys(out)) out[service].schemas = sortKeys(writers[service].components);
  return out;
}

function sortKeys(object) {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => a.localeCompare(b)));
}

function render(service, data) {
  const body = JSON.stringify(
    { responses: sortKeys(data?.responses ?? {}), schemas: data?.schemas ?? {} },
    null,
    2,
  );
  return (
    `// Generated by tools/openapi/response-schemas.mjs from the return types of ${service}'s routes: do not edit.\n` +
    `// A unit test (tools/openapi/contract.spec.ts) fails when it is stale; rerun the script then.\n` +
    `import type { ResponseSchemas } from '@leadflow/platform/service';\n\n` +
    `export const responseSchemas: ResponseSchemas = ${body};\n`
  );
}

export async function generatedFiles() {
  const data = collectResponseSchemas();
  const prettier = require('prettier');
  const options = (await prettier.resolveConfig(join(ROOT, 'apps/gateway/src/service.ts'))) ?? {};
  const files = {};
  for (const service of SERVICES) {
    const file = join(ROOT, 'apps', service, 'src/openapi-responses.generated.ts');
    files[file] = await prettier.format(render(service, data[service]), { ...options, parser: 'typescript' });
  }
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const stale = [];
  for (const [file, text] of Object.entries(await generatedFiles())) {
    const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (current === text) continue;
    stale.push(relative(ROOT, file));
    if (!check) writeFileSync(file, text);
  }
  if (check && stale.length > 0) {
    process.stderr.write(`stale, rerun node tools/openapi/response-schemas.mjs: ${stale.join(', ')}\n`);
    process.exit(1);
  }
  process.stdout.write(check ? 'response schemas are current\n' : `wrote ${stale.length} file(s)\n`);
}
