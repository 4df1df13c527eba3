// Validates Kubernetes objects against the published schemas of their kind: kubernetes-models
// for the built-in APIs, @kubernetes-models/strimzi-kafka-operator and
// @kubernetes-models/cloudnative-pg for the operators' custom resources (JSON schemas generated
// from the upstream OpenAPI and CRDs). Those packages are ES modules only, so this runs as its
// own Node process: a JSON array of objects on stdin, a JSON array of problems on stdout.
//   kubectl kustomize k8s/overlays/prod | npx yaml --json ... | node tools/deploy-check/validate.mjs
import { readFileSync } from 'node:fs';

/** Which package holds the models of an API group. */
function packageOf(group) {
  if (group === '' || !group.includes('.') || group.endsWith('.k8s.io')) return 'kubernetes-models';
  if (group === 'kafka.strimzi.io' || group === 'core.strimzi.io')
    return '@kubernetes-models/strimzi-kafka-operator';
  if (group === 'postgresql.cnpg.io') return '@kubernetes-models/cloudnative-pg';
  return undefined;
}

async function modelOf(apiVersion, kind) {
  const slash = apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const pkg = packageOf(group);
  if (!pkg || !/^[A-Za-z0-9.]+$/.test(apiVersion.replace('/', '')) || !/^[A-Za-z0-9]+$/.test(kind))
    return undefined;
  try {
    const module = await import(`${pkg}/${apiVersion}/${kind}`);
    return module[kind];
  } catch {
    return undefined;
  }
}

function describe(error) {
  const details = Array.isArray(error?.errors)
    ? error.errors.map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim())
    : [];
  return details.length > 0 ? details.join('; ') : String(error?.message ?? error);
}

const objects = JSON.parse(readFileSync(0, 'utf8'));
const problems = [];
for (const obj of objects) {
  const where = `${obj.kind}/${obj.metadata?.name}`;
  const Model = await modelOf(String(obj.apiVersion), String(obj.kind));
  if (!Model) {
    problems.push(`${where}: no schema for ${obj.apiVersion}/${obj.kind}`);
    continue;
  }
  try {
    new Model(obj).validate();
  } catch (error) {
    problems.push(`${where}: ${describe(error)}`);
  }
}
process.stdout.write(JSON.stringify(problems));
