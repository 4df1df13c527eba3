/**
 * Offline validation of deploy/Dockerfile, docker-compose.yml and the k8s/ overlays.
 *   npx jest -c jest.unit.config.cjs tools/deploy-check
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import {
  DLQ_TOPICS,
  EVENT_TOPICS,
  REPO_ROOT,
  SERVICES,
  clusterProblems,
  composeProblems,
  documentedSecrets,
  dockerfileProblems,
  get,
  schemaProblems,
} from './checks';
import type { ClusterExpectations } from './checks';
import { envNeeds, serviceEnvNeeds } from './env-needs';
import type { ServiceEnvNeeds } from './env-needs';
import { isJsonObject, kustomizationProblems, renderOverlay } from './manifests';
import type { JsonObject, JsonValue, KubeObject } from './manifests';

const secretKeys = documentedSecrets();
/** What each service's env schema needs, filled before any test runs. */
const env: Record<string, ServiceEnvNeeds> = {};
beforeAll(async () => {
  Object.assign(env, await serviceEnvNeeds(Object.keys(SERVICES)));
});

const OVERLAYS: Record<string, Omit<ClusterExpectations, 'secretKeys' | 'env'>> = {
  dev: { namespace: 'leadflow-dev', replicas: 1, hpa: { min: 1, max: 2 }, pinnedImages: true },
  prod: { namespace: 'leadflow', replicas: 3, hpa: { min: 3, max: 10 }, pinnedImages: true },
};

/** Each overlay rendered once by the real kustomize; tests get their own copy to break. */
const rendered = new Map<string, KubeObject[]>();
function render(overlay: string): KubeObject[] {
  if (!rendered.has(overlay))
    rendered.set(overlay, renderOverlay(path.join(REPO_ROOT, 'k8s/overlays', overlay)));
  return structuredClone(rendered.get(overlay)!);
}

function find(all: KubeObject[], kind: string, name: string): KubeObject {
  const obj = all.find((o) => o.kind === kind && o.metadata.name === name);
  if (!obj) throw new Error(`${kind}/${name} not rendered`);
  return obj;
}

function container(deployment: KubeObject): JsonObject {
  const c = get(deployment, 'spec', 'template', 'spec', 'containers', 0);
  if (!isJsonObject(c)) throw new Error(`${deployment.metadata.name} has no container`);
  return c;
}

describe('the documented Secret', () => {
  it('documents every key the services need', () => {
    expect([...(secretKeys['leadflow-secrets'] ?? [])].sort()).toEqual([
      'MAIL_TOKENS_KEY',
      'OPERATOR_TOKEN',
      'REDIS_URL',
      'SECRETS_ENCRYPTION_KEY',
    ]);
  });

  it('documents a basic-auth Secret per database role', () => {
    for (const service of Object.keys(SERVICES).filter((s) => s !== 'gateway'))
      expect([...(secretKeys[`leadflow-db-${service}`] ?? [])].sort()).toEqual(['password', 'username']);
  });

  it('is not part of any kustomization', () => {
    for (const overlay of Object.keys(OVERLAYS))
      expect(render(overlay).filter((o) => o.kind === 'Secret')).toEqual([]);
  });
});

describe.each(Object.keys(OVERLAYS))('k8s overlay %s', (overlay) => {
  const expectations: ClusterExpectations = { ...OVERLAYS[overlay]!, secretKeys, env };
  const all = render(overlay);

  it('renders the expected objects', () => {
    const counts: Record<string, number> = {};
    for (const o of all) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
    const services = Object.keys(SERVICES).length;
    expect(counts).toEqual({
      Namespace: 1,
      ConfigMap: 1,
      Ingress: 1,
      Deployment: services,
      Service: services,
      PodDisruptionBudget: services,
      HorizontalPodAutoscaler: services,
      Kafka: 1,
      KafkaNodePool: 1,
      KafkaTopic: EVENT_TOPICS.length + DLQ_TOPICS.length,
      Cluster: 1,
      PersistentVolumeClaim: 1, // ingestion's shared upload directory
    });
  });

  it('validates every object against its schema', () => {
    expect(schemaProblems(all)).toEqual([]);
  });

  it('passes the cross-checks (probes, resources, Service/PDB/HPA, config refs, topics)', () => {
    expect(clusterProblems(all, expectations)).toEqual([]);
  });

  it('labels every object as part of leadflow without touching selectors', () => {
    for (const o of all) expect(get(o, 'metadata', 'labels', 'app.kubernetes.io/part-of')).toBe('leadflow');
    for (const d of all.filter((o) => o.kind === 'Deployment')) {
      expect(get(d, 'spec', 'selector', 'matchLabels')).toEqual({
        'app.kubernetes.io/name': d.metadata.name,
      });
      expect(get(d, 'spec', 'template', 'metadata', 'labels', 'leadflow.io/environment')).toBe(overlay);
    }
  });

  it('keeps the base container settings when the overlay patches resources', () => {
    const c = container(find(all, 'Deployment', 'identity'));
    expect(get(c, 'readinessProbe', 'httpGet', 'path')).toBe('/readyz');
    expect(get(c, 'env')).toEqual(expect.arrayContaining([{ name: 'IDENTITY_PORT', value: '3001' }]));
    expect(get(c, 'resources', 'limits', 'memory')).toBe(overlay === 'dev' ? '384Mi' : '768Mi');
  });
});

describe('the kustomizations', () => {
  it.each(Object.keys(OVERLAYS))(
    '%s: every images entry is used and every targeted patch changes something',
    (overlay) => {
      expect(kustomizationProblems(path.join(REPO_ROOT, 'k8s/overlays', overlay))).toEqual([]);
    },
  );

  it('kustomize accepts an unused image and a patch whose target matches nothing; the check does not', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'overlay-'));
    try {
      const write = (file: string, text: string): void => {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
      };
      write('base/kustomization.yaml', 'resources: [web.yaml]\n');
      write('base/web.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: web }\ndata: { A: "1" }\n');
      write(
        'overlay/kustomization.yaml',
        [
          'resources: [../base]',
          'images:',
          '  - name: example/api',
          '    newTag: "1"',
          'patches:',
          '  - path: patch.yaml',
          '    target: { kind: Deployment }',
          '',
        ].join('\n'),
      );
      write(
        'overlay/patch.yaml',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: any }\nspec: { replicas: 1 }\n',
      );
      const file = path.join(dir, 'overlay/kustomization.yaml');
      expect(renderOverlay(path.join(dir, 'overlay'))).toHaveLength(1);
      expect(kustomizationProblems(path.join(dir, 'overlay'))).toEqual([
        `${file}: image example/api is used by no container`,
        `${file}: patch patch.yaml changes nothing`,
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('overlay specifics', () => {
  it('dev: single-broker Kafka, replicas 1 topics, one PostgreSQL instance, PDB allows a drain', () => {
    const dev = render('dev');
    expect(get(find(dev, 'KafkaNodePool', 'dual-role'), 'spec', 'replicas')).toBe(1);
    expect(get(find(dev, 'KafkaTopic', 'ingestion.leads.v1'), 'spec', 'replicas')).toBe(1);
    expect(get(find(dev, 'KafkaTopic', 'ingestion.leads.v1'), 'spec', 'config', 'retention.ms')).toBe(-1);
    expect(get(find(dev, 'Cluster', 'leadflow-db'), 'spec', 'instances')).toBe(1);
    expect(get(find(dev, 'PodDisruptionBudget', 'voice'), 'spec')).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'voice' } },
    });
    expect(get(container(find(dev, 'Deployment', 'routing')), 'image')).toBe('leadflow/routing:dev');
  });

  it('prod: pinned registry images, TLS ingress, minAvailable 1', () => {
    const prod = render('prod');
    expect(get(container(find(prod, 'Deployment', 'gateway')), 'image')).toBe(
      'ghcr.io/leadflow/gateway:0.1.0',
    );
    expect(get(find(prod, 'Ingress', 'gateway'), 'spec', 'tls', 0, 'secretName')).toBe('leadflow-tls');
    expect(get(find(prod, 'Ingress', 'gateway'), 'spec', 'rules', 0, 'host')).toBe('leadflow.example.com');
    expect(get(find(prod, 'PodDisruptionBudget', 'gateway'), 'spec', 'minAvailable')).toBe(1);
    expect(get(find(prod, 'KafkaNodePool', 'dual-role'), 'spec', 'replicas')).toBe(3);
  });
});

describe('the checks catch broken manifests', () => {
  const expectations: ClusterExpectations = { ...OVERLAYS['prod']!, secretKeys, env };
  const fresh = (): KubeObject[] => render('prod');

  it('a readiness probe on the wrong path', () => {
    const all = fresh();
    const probe = get(container(find(all, 'Deployment', 'voice')), 'readinessProbe', 'httpGet') as JsonObject;
    probe['path'] = '/healthz';
    expect(clusterProblems(all, expectations)).toEqual([
      'Deployment/voice: container app: readinessProbe path /healthz, expected /readyz',
    ]);
  });

  it('a probe on a port the container does not expose', () => {
    const all = fresh();
    (get(container(find(all, 'Deployment', 'routing')), 'livenessProbe', 'httpGet') as JsonObject)['port'] =
      8080;
    expect(clusterProblems(all, expectations)).toEqual([
      'Deployment/routing: container app: livenessProbe port 8080 is not its container port',
    ]);
  });

  it('missing resources, a missing PDB and an unknown ConfigMap key', () => {
    const all = fresh().filter((o) => !(o.kind === 'PodDisruptionBudget' && o.metadata.name === 'analytics'));
    const c = container(find(all, 'Deployment', 'analytics'));
    delete (c['resources'] as JsonObject)['limits'];
    const env = c['env'] as JsonObject[];
    (
      get(
        env.find((e) => e['name'] === 'LOG_LEVEL'),
        'valueFrom',
        'configMapKeyRef',
      ) as JsonObject
    )['key'] = 'LOGLEVEL';
    expect(clusterProblems(all, expectations)).toEqual([
      'Deployment/analytics: container app: resources.limits.cpu not set',
      'Deployment/analytics: container app: resources.limits.memory not set',
      'Deployment/analytics container app: env LOG_LEVEL references undefined key LOGLEVEL of ConfigMap leadflow-config',
      'Deployment/analytics: 0 PodDisruptionBudgets select its pods, expected 1',
    ]);
  });

  it('an undocumented Secret key, a missing topic and a Service selecting nothing', () => {
    const all = fresh().filter((o) => !(o.kind === 'KafkaTopic' && o.metadata.name === 'voice.dlq'));
    const env = container(find(all, 'Deployment', 'campaigns'))['env'] as JsonObject[];
    env.push({
      name: 'SMTP_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'leadflow-secrets', key: 'SMTP_PASSWORD' } },
    });
    (get(find(all, 'Service', 'ingestion'), 'spec', 'selector') as JsonObject)['app.kubernetes.io/name'] =
      'ingest';
    const problems = clusterProblems(all, expectations);
    expect(problems).toContain(
      'Deployment/campaigns container app: env SMTP_PASSWORD references undocumented key SMTP_PASSWORD of Secret leadflow-secrets',
    );
    expect(problems).toContain('Deployment/ingestion: no Service selects its pods');
    expect(problems).toContain('KafkaTopic voice.dlq missing');
  });

  it('schema errors in core objects and custom resources', () => {
    const all = fresh();
    (get(container(find(all, 'Deployment', 'identity')), 'ports', 0) as JsonObject)['containerPort'] = 'http';
    (find(all, 'KafkaTopic', 'routing.deliveries.v1')['spec'] as JsonObject)['partitions'] = '6';
    (get(find(all, 'Cluster', 'leadflow-db'), 'spec', 'postgresql', 'parameters') as JsonObject)[
      'max_connections'
    ] = 300;
    (get(find(all, 'KafkaNodePool', 'dual-role'), 'spec') as JsonObject)['replicas'] = 'three';
    expect(schemaProblems(all).sort()).toEqual([
      'Cluster/leadflow-db: /spec/postgresql/parameters/max_connections must be string',
      'Deployment/identity: /spec/template/spec/containers/0/ports/0/containerPort must be integer',
      'KafkaNodePool/dual-role: /spec/replicas must be integer',
      'KafkaTopic/routing.deliveries.v1: /spec/partitions must be integer',
    ]);
  });

  it('an object kind nobody validates', () => {
    const unknown = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'x' } } as KubeObject;
    expect(schemaProblems([unknown])).toEqual(['Widget/x: no schema for example.com/v1/Widget']);
  });
});

describe('docker-compose.yml', () => {
  const load = (): JsonValue =>
    parse(fs.readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as JsonValue;

  it('is valid against the compose-spec schema and wires every service', () => {
    expect(composeProblems(load(), env)).toEqual([]);
  });

  it('is caught when broken', () => {
    const doc = load() as JsonObject;
    const services = doc['services'] as JsonObject;
    delete services['voice'];
    const routing = services['routing'] as JsonObject;
    (get(routing, 'build', 'args') as JsonObject)['APP'] = 'routng';
    delete (routing['depends_on'] as JsonObject)['kafka'];
    (routing['healthcheck'] as JsonObject)['interval'] = 'ten seconds';
    const problems = composeProblems(doc, env);
    expect(problems[0]).toMatch(/^docker-compose\.yml: .*healthcheck\/interval must match format "duration"/);
    expect(problems.slice(1)).toEqual([
      'compose voice: missing',
      'compose routing: build arg APP must be routing',
      'compose routing: must depend on kafka with condition service_healthy',
      'compose gateway: depends on unknown service voice',
    ]);
  });
});

describe('deploy/Dockerfile', () => {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'deploy/Dockerfile'), 'utf8');

  it('has the deps, build and runtime stages, ARG APP, a non-root user and a healthcheck', () => {
    expect(dockerfileProblems(text)).toEqual([]);
  });

  it('is caught when broken', () => {
    const broken = text
      .replace(/^ARG APP$/m, '')
      .replace(/^USER .*$/m, 'USER root')
      .replace('npm install --omit=dev', 'npm install');
    expect(dockerfileProblems(broken)).toEqual([
      'Dockerfile: runtime stage must declare ARG APP',
      'Dockerfile: runtime node_modules must come from a stage running npm install --omit=dev',
      'Dockerfile: runtime must switch to a non-root USER',
    ]);
  });

  it('has a BuildKit ignore file next to it that keeps the sources', () => {
    const ignore = fs
      .readFileSync(path.join(REPO_ROOT, 'deploy/Dockerfile.dockerignore'), 'utf8')
      .split('\n');
    for (const needed of ['!package-lock.json', '!apps/**', '!libs/**', '!.swcrc'])
      expect(ignore).toContain(needed);
  });
});

describe('settings each service needs in a deployment (derived from its env schema)', () => {
  const names = (service: string): string[] => env[service]!.needed.map((n) => n.name).sort();

  it('are the loopback defaults, the settings production refuses by default and those without a default', () => {
    expect(names('identity')).toEqual([
      'DATABASE_URL',
      'HTTP_HOST',
      'IDENTITY_JWKS_URL',
      'KAFKA_BROKERS',
      'MAIL_TOKENS_KEY',
      'OPERATOR_TOKEN',
      'SECRETS_ENCRYPTION_KEY',
    ]);
    expect(names('ingestion')).toEqual(
      expect.arrayContaining([
        'IDENTITY_JWKS_URL',
        'IMPORT_DIR',
        'PUBLIC_BASE_URL',
        'REDIS_URL',
        'SECRETS_ENCRYPTION_KEY',
      ]),
    );
    expect(names('gateway')).toEqual(expect.arrayContaining(['IDENTITY_URL', 'ANALYTICS_URL', 'REDIS_URL']));
    expect(names('gateway')).not.toContain('DATABASE_URL');
    expect(names('voice')).not.toContain('SECRETS_ENCRYPTION_KEY');
    expect(names('ingestion')).not.toContain('MAIL_TOKENS_KEY');
  });

  it('follow the schema: a new setting with a loopback default or no default is needed at once', () => {
    class SomeEnv {
      MAIL_URL = 'smtp://localhost:25';
      MAIL_PASSWORD = '';
      MAIL_FROM = 'noreply@leadflow.example';
    }
    expect(envNeeds(SomeEnv).needed).toEqual([
      { name: 'MAIL_URL', reason: 'loopback default', secret: false, shownDefault: '"smtp://localhost:25"' },
      { name: 'MAIL_PASSWORD', reason: 'no default', secret: true, shownDefault: 'not shown' },
    ]);
  });

  const loadCompose = (): JsonObject =>
    parse(fs.readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as JsonObject;
  const composeEnv = (doc: JsonObject, service: string): JsonObject =>
    get(doc, 'services', service, 'environment') as JsonObject;

  it('a compose file without IDENTITY_JWKS_URL is refused, naming the service and the setting', () => {
    const doc = loadCompose();
    delete composeEnv(doc, 'campaigns')['IDENTITY_JWKS_URL'];
    expect(composeProblems(doc, env)).toEqual([
      'compose campaigns: IDENTITY_JWKS_URL missing (its default "http://127.0.0.1:3001/.well-known/jwks.json" is loopback)',
    ]);
  });

  it('a compose file with a loopback value, a literal credential or an optional PUBLIC_BASE_URL is refused', () => {
    const doc = loadCompose();
    composeEnv(doc, 'routing')['IDENTITY_JWKS_URL'] = 'http://localhost:3001/.well-known/jwks.json';
    composeEnv(doc, 'voice')['OPERATOR_TOKEN'] = 'let-me-in';
    composeEnv(doc, 'identity')['SECRETS_ENCRYPTION_KEY'] = '${SECRETS_ENCRYPTION_KEY:-dev:AAAA}';
    composeEnv(doc, 'ingestion')['PUBLIC_BASE_URL'] = '${PUBLIC_BASE_URL}';
    delete composeEnv(doc, 'ingestion')['SECRETS_ENCRYPTION_KEY'];
    expect(composeProblems(doc, env)).toEqual([
      'compose identity: SECRETS_ENCRYPTION_KEY must come from the environment (${VAR:?message}), never a literal or a default',
      'compose ingestion: SECRETS_ENCRYPTION_KEY missing (its default is refused with NODE_ENV=production)',
      'compose ingestion: PUBLIC_BASE_URL may be empty (its default "http://127.0.0.1:3000" is loopback); give it a value or ${VAR:?message}',
      'compose voice: OPERATOR_TOKEN must come from the environment (${VAR:?message}), never a literal or a default',
      'compose routing: IDENTITY_JWKS_URL is a loopback address (http://localhost:3001/.well-known/jwks.json) in a container',
    ]);
  });

  it('a rendered manifest without IDENTITY_JWKS_URL is refused, naming the Deployment and the setting', () => {
    const expectations: ClusterExpectations = { ...OVERLAYS['prod']!, secretKeys, env };
    const all = render('prod');
    const c = container(find(all, 'Deployment', 'enrichment'));
    c['env'] = (c['env'] as JsonObject[]).filter((e) => e['name'] !== 'IDENTITY_JWKS_URL');
    expect(clusterProblems(all, expectations)).toEqual([
      'Deployment/enrichment container app: IDENTITY_JWKS_URL missing (its default "http://127.0.0.1:3001/.well-known/jwks.json" is loopback)',
    ]);
  });

  it('a manifest with a loopback ConfigMap value, a credential as a value, or a PUBLIC_BASE_URL off the Ingress is refused', () => {
    const expectations: ClusterExpectations = { ...OVERLAYS['prod']!, secretKeys, env };
    const all = render('prod');
    const data = find(all, 'ConfigMap', 'leadflow-config')['data'] as JsonObject;
    data['VOICE_URL'] = 'http://127.0.0.1:3005';
    data['PUBLIC_BASE_URL'] = 'https://leads.elsewhere.example';
    const env0 = container(find(all, 'Deployment', 'analytics'))['env'] as JsonObject[];
    const token = env0.find((e) => e['name'] === 'OPERATOR_TOKEN')!;
    delete token['valueFrom'];
    token['value'] = 'let-me-in';
    expect(clusterProblems(all, expectations)).toEqual([
      'Deployment/analytics container app: OPERATOR_TOKEN must come from a Secret (secretKeyRef), never a value or a ConfigMap',
      'Deployment/gateway container app: VOICE_URL is a loopback address (http://127.0.0.1:3005) in a pod',
      'Deployment/ingestion: PUBLIC_BASE_URL https://leads.elsewhere.example is no Ingress host (leadflow.example.com)',
    ]);
  });
});

describe('database roles and the secrets key', () => {
  const loadCompose = (): JsonObject =>
    parse(fs.readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as JsonObject;
  const composeEnv = (doc: JsonObject, service: string): JsonObject =>
    get(doc, 'services', service, 'environment') as JsonObject;
  const withDatabase = (): string[] =>
    Object.keys(SERVICES).filter((s) => env[s]!.settings.has('DATABASE_URL'));

  it('compose: the init script creates a role for every service with a database, and postgres runs it', () => {
    const script = fs.readFileSync(path.join(REPO_ROOT, 'deploy/postgres/init-roles.sh'), 'utf8');
    const listed = /^SERVICES=\(([^)]*)\)/m.exec(script)?.[1]?.trim().split(/\s+/);
    expect(listed?.sort()).toEqual(withDatabase().sort());
    expect(get(loadCompose(), 'services', 'postgres', 'volumes')).toContain(
      './deploy/postgres/init-roles.sh:/docker-entrypoint-initdb.d/10-roles.sh:ro',
    );
  });

  it('compose: a DATABASE_URL as another role, or the secrets key for a service that seals nothing, is refused', () => {
    const doc = loadCompose();
    composeEnv(doc, 'ingestion')['DATABASE_URL'] =
      'postgres://postgres:${POSTGRES_PASSWORD:?x}@postgres:5432/leadflow';
    composeEnv(doc, 'voice')['SECRETS_ENCRYPTION_KEY'] = '${SECRETS_ENCRYPTION_KEY:?x}';
    expect(composeProblems(doc, env)).toEqual([
      'compose ingestion: DATABASE_URL connects as "postgres", not as its own role "ingestion"',
      'compose voice: SECRETS_ENCRYPTION_KEY is given but voice does not read it (a credential only goes to the services that use it)',
    ]);
  });

  it('k8s: every service with a database connects as its managed role; only identity and ingestion get the key', () => {
    const all = render('prod');
    for (const d of all.filter((o) => o.kind === 'Deployment')) {
      const vars = (container(d)['env'] as JsonObject[]).map((e) => e['name']);
      expect([d.metadata.name, vars.includes('SECRETS_ENCRYPTION_KEY')]).toEqual([
        d.metadata.name,
        ['identity', 'ingestion'].includes(d.metadata.name),
      ]);
      if (withDatabase().includes(d.metadata.name))
        expect((container(d)['env'] as JsonObject[]).find((e) => e['name'] === 'DATABASE_URL')).toEqual({
          name: 'DATABASE_URL',
          value: `postgresql://${d.metadata.name}:$(DATABASE_PASSWORD)@leadflow-db-rw:5432/leadflow`,
        });
    }
  });

  it('k8s: the key for a service that seals nothing, a shared or whole-Secret DATABASE_URL, an unmanaged role are refused', () => {
    const expectations: ClusterExpectations = { ...OVERLAYS['prod']!, secretKeys, env };
    const all = render('prod');
    const envOf = (name: string): JsonObject[] =>
      container(find(all, 'Deployment', name))['env'] as JsonObject[];
    envOf('gateway').push({
      name: 'SECRETS_ENCRYPTION_KEY',
      valueFrom: { secretKeyRef: { name: 'leadflow-secrets', key: 'SECRETS_ENCRYPTION_KEY' } },
    });
    envOf('campaigns').find((e) => e['name'] === 'DATABASE_URL')!['value'] =
      'postgresql://analytics:$(DATABASE_PASSWORD)@leadflow-db-rw:5432/leadflow';
    const routing = envOf('routing').find((e) => e['name'] === 'DATABASE_URL')!;
    delete routing['value'];
    routing['valueFrom'] = { secretKeyRef: { name: 'leadflow-db-routing', key: 'uri' } };
    const roles = get(find(all, 'Cluster', 'leadflow-db'), 'spec', 'managed', 'roles') as JsonObject[];
    roles.splice(
      roles.findIndex((r) => r['name'] === 'voice'),
      1,
    );
    const problems = clusterProblems(all, expectations);
    expect(problems).toEqual(
      expect.arrayContaining([
        'Deployment/gateway container app: SECRETS_ENCRYPTION_KEY (Secret leadflow-secrets/SECRETS_ENCRYPTION_KEY) is given but gateway does not read it (a credential only goes to the services that use it)',
        'Deployment/campaigns container app: DATABASE_URL connects as "analytics", not as its own role "campaigns"',
        'Deployment/routing container app: DATABASE_URL must name its role in the manifest (postgresql://routing:$(DATABASE_PASSWORD)@...), not come whole from a Secret',
        'Deployment/voice container app: role voice is no login role of the CloudNativePG Cluster (spec.managed.roles)',
      ]),
    );
  });
});
