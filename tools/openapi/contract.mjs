// The public OpenAPI contract, produced without running the platform: each built app (dist/) is
// assembled in Nest's preview mode (nothing instantiated, nothing connected) and asked for its
// document, exactly as it serves it at /openapi.json; the gateway's merge (apps/gateway/src/docs/
// merged-document.ts) joins them into the one document clients generate from.
//
//   node tools/openapi/contract.mjs write   → tmp/openapi/<service>.json and tmp/openapi/leadflow.json
//   node tools/openapi/contract.mjs lint    → the above, then Redocly CLI (`recommended` rules,
//                                              tools/openapi/redocly.yaml) over every document
//
// `PUBLIC_BASE_URL` (ingestion's setting, the merged document's `servers`) is read from the environment.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(join(ROOT, 'package.json'));
const OUT = join(ROOT, 'tmp/openapi');

export const SERVICES = ['identity', 'ingestion', 'enrichment', 'campaigns', 'voice', 'routing', 'analytics'];

function fromDist(path) {
  const file = join(ROOT, 'dist', path);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  return require(file);
}

async function documentOf(service) {
  const definition = Object.values(fromDist(`apps/${service}/src/service.js`)).find(
    (value) => value && typeof value === 'object' && value.name === service,
  );
  const { AppModule } = fromDist(`apps/${service}/src/app.module.js`);
  const { loadConfig } = fromDist('libs/platform/config/src/index.js');
  const { createServiceDocument } = fromDist('libs/platform/service/src/index.js');
  const env = loadConfig(definition.env, { PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL });
  return createServiceDocument(definition, (settings) => AppModule.forRoot(settings), env);
}

/** Every service's document, the gateway's, and the merged one: `{ documents, merged }`. */
export async function buildContract() {
  require('reflect-metadata');
  const documents = { gateway: await documentOf('gateway') };
  for (const service of SERVICES) documents[service] = await documentOf(service);
  const { mergeDocuments } = fromDist('apps/gateway/src/docs/merged-document.js');
  const { gateway, ...services } = documents;
  return { documents, merged: mergeDocuments(gateway, services) };
}

/** Written whole or not at all: two test files may build the contract at once. */
function writeAtomically(file, text) {
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, text);
  renameSync(partial, file);
}

export async function writeContract() {
  const { documents, merged } = await buildContract();
  mkdirSync(OUT, { recursive: true });
  const files = [];
  for (const [name, document] of Object.entries(documents)) {
    files.push(join(OUT, `${name}.json`));
    writeAtomically(files.at(-1), `${JSON.stringify(document, null, 2)}\n`);
  }
  const mergedFile = join(OUT, 'leadflow.json');
  writeAtomically(mergedFile, `${JSON.stringify(merged, null, 2)}\n`);
  return { files, mergedFile };
}

function lint(files) {
  const redocly = join(ROOT, 'node_modules/.bin/redocly');
  if (!existsSync(redocly)) {
    process.stderr.write(
      'Redocly CLI is missing: it is a pinned devDependency (@redocly/cli); run npm install\n',
    );
    return 1;
  }
  const result = spawnSync(
    redocly,
    ['lint', '--config', join(ROOT, 'tools/openapi/redocly.yaml'), '--format', 'stylish', ...files],
    {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    },
  );
  return result.status ?? 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const command = process.argv[2] ?? 'write';
  const { files, mergedFile } = await writeContract();
  process.stdout.write(`wrote ${files.length + 1} OpenAPI documents into ${OUT}\n`);
  process.exit(command === 'lint' ? lint([mergedFile, ...files]) : 0);
}
