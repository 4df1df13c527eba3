/**
 * Which settings a deployment must give each service, read from the service's own env schema
 * (apps/<service>/src/config/env.schema.ts, the class extending BaseServiceEnv) rather than
 * listed by hand, and the checks that a compose file or a rendered overlay gives them.
 *
 * A setting is needed when, in a container, its default cannot work:
 * - its default names the loopback interface (127.0.0.1, localhost, ::1): another container's
 *   address or the pod's own interface is meant (IDENTITY_JWKS_URL, DATABASE_URL, HTTP_HOST...);
 * - the schema refuses its default with NODE_ENV=production, as the images run
 *   (SECRETS_ENCRYPTION_KEY's public development key);
 * - it has no default: a credential whose empty default switches its feature off (OPERATOR_TOKEN);
 * - its default is a path relative to the working directory, which is read-only in the images
 *   (IMPORT_DIR).
 * A needed credential must come from the environment or a Secret, never a literal in the file.
 */
import { BaseServiceEnv, ConfigError, isSecretSetting, loadConfig } from '@leadflow/platform/config';
import type { EnvSchema } from '@leadflow/platform/config';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isJsonObject } from './manifests';
import type { JsonObject, JsonValue, KubeObject } from './manifests';

const REPO_ROOT = path.resolve(__dirname, '../..');

export type NeedReason =
  'loopback default' | 'refused in production' | 'no default' | 'relative path default';

export interface NeededSetting {
  name: string;
  reason: NeedReason;
  /** A credential: must come from the environment / a Secret. */
  secret: boolean;
  /** The schema's default, for messages (never a secret's). */
  shownDefault: string;
}

/** Every setting a service's schema reads, and the ones a deployment must set. */
export interface ServiceEnvNeeds {
  settings: Set<string>;
  needed: NeededSetting[];
}

const LOOPBACK = /(^|[/@\s,[])(localhost|127(\.\d{1,3}){3}|::1)(?=$|[\]:/\s,])/i;
const RELATIVE_PATH = /^[\w.-]+(\/[\w.-]+)+\/?$/;

export function isLoopback(value: string): boolean {
  return LOOPBACK.test(value);
}

/** The env schema class of a service, found by the repository's convention. */
export async function loadServiceEnvSchema(service: string): Promise<EnvSchema<BaseServiceEnv>> {
  const file = path.join(REPO_ROOT, 'apps', service, 'src/config/env.schema.ts');
  if (!fs.existsSync(file)) throw new Error(`${service}: no env schema at ${path.relative(REPO_ROOT, file)}`);
  const exports = (await import(file)) as Record<string, unknown>;
  const schemas = Object.values(exports).filter(
    (value): value is EnvSchema<BaseServiceEnv> =>
      typeof value === 'function' && value.prototype instanceof BaseServiceEnv,
  );
  if (schemas.length !== 1)
    throw new Error(`${file}: expected one class extending BaseServiceEnv, found ${schemas.length}`);
  return schemas[0]!;
}

/** Derives the needed settings from a schema (see the rules at the top). */
export function envNeeds(schema: EnvSchema<object>): ServiceEnvNeeds {
  const defaults = new schema() as Record<string, unknown>;
  const refusedInProduction = new Set<string>();
  try {
    loadConfig(schema, { NODE_ENV: 'production' });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) refusedInProduction.add(problem.split(/[:.]/)[0]!);
  }
  const needed: NeededSetting[] = [];
  for (const [name, value] of Object.entries(defaults)) {
    const secret = isSecretSetting(name);
    let reason: NeedReason | undefined;
    if (refusedInProduction.has(name)) reason = 'refused in production';
    else if (value === undefined || value === null || (value === '' && secret)) reason = 'no default';
    else if (typeof value === 'string' && isLoopback(value)) reason = 'loopback default';
    else if (typeof value === 'string' && RELATIVE_PATH.test(value)) reason = 'relative path default';
    if (reason)
      needed.push({
        name,
        reason,
        secret,
        shownDefault: secret ? 'not shown' : JSON.stringify(value ?? null),
      });
  }
  return { settings: new Set(Object.keys(defaults)), needed };
}

export async function serviceEnvNeeds(services: string[]): Promise<Record<string, ServiceEnvNeeds>> {
  const result: Record<string, ServiceEnvNeeds> = {};
  for (const service of services) result[service] = envNeeds(await loadServiceEnvSchema(service));
  return result;
}

function why(need: NeededSetting): string {
  switch (need.reason) {
    case 'loopback default':
      return `its default ${need.shownDefault} is loopback`;
    case 'refused in production':
      return 'its default is refused with NODE_ENV=production';
    case 'no default':
      return 'it has no default';
    case 'relative path default':
      return `its default ${need.shownDefault} is relative to the read-only working directory`;
  }
}

/* ---------------------------------------------------------------- docker compose */

/**
 * A compose value as it ends up in the container: `${VAR:?msg}` / `${VAR?msg}` (required from the
 * environment, compose refuses to start without it), `${VAR:-default}` (the default counts), or
 * text (`$${` escapes are left alone).
 */
interface ComposeValue {
  /** The text with each interpolation replaced by its default ('' when it has none). */
  fallback: string;
  /** Every interpolation is required from the environment. */
  fromEnvironment: boolean;
  /** The value holds literal text besides interpolations. */
  literal: boolean;
}

const INTERPOLATION = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g;

function composeValue(text: string): ComposeValue {
  let required = 0;
  let optional = 0;
  const fallback = text.replace(INTERPOLATION, (_all, _name: string, op: string | undefined, arg: string) => {
    if (op === ':?' || op === '?') {
      required++;
      return '';
    }
    optional++;
    return op === ':-' || op === '-' ? arg : '';
  });
  const literal = text.replace(INTERPOLATION, '').trim() !== '';
  return { fallback, fromEnvironment: required > 0 && optional === 0, literal };
}

/** Needed settings a compose service lacks (or gives a loopback value, or a literal credential). */
export function composeEnvProblems(services: JsonObject, needs: Record<string, ServiceEnvNeeds>): string[] {
  const problems: string[] = [];
  for (const [service, { needed, settings }] of Object.entries(needs)) {
    const svc = services[service];
    if (!isJsonObject(svc)) continue; // reported as a missing service
    const env = composeEnvironment(svc['environment']);
    for (const need of needed) {
      const p = (msg: string): void => void problems.push(`compose ${service}: ${need.name} ${msg}`);
      const raw = env[need.name];
      if (raw === undefined || raw.trim() === '') {
        p(`missing (${why(need)})`);
        continue;
      }
      const value = composeValue(raw);
      if (need.secret) {
        if (!value.fromEnvironment || value.literal)
          p('must come from the environment (${VAR:?message}), never a literal or a default');
      } else if (!value.fromEnvironment && value.fallback.trim() === '') {
        p(`may be empty (${why(need)}); give it a value or \${VAR:?message}`);
      } else if (isLoopback(value.fallback)) {
        p(`is a loopback address (${value.fallback}) in a container`);
      }
    }
    for (const name of Object.keys(env)) {
      if (isSecretSetting(name) && !settings.has(name))
        problems.push(
          `compose ${service}: ${name} is given but ${service} does not read it (${ONLY_WHERE_USED})`,
        );
    }
    if (settings.has('DATABASE_URL') && env['DATABASE_URL'] !== undefined) {
      const problem = databaseUserProblem(service, composeValue(env['DATABASE_URL']).fallback);
      if (problem) problems.push(`compose ${service}: ${problem}`);
    }
  }
  return problems;
}

const ONLY_WHERE_USED = 'a credential only goes to the services that use it';

/** A service connects as the database role named after it (owner of its schema only). */
function databaseUserProblem(service: string, url: string): string | undefined {
  let user: string;
  try {
    user = decodeURIComponent(new URL(url).username);
  } catch {
    return `DATABASE_URL is not a URL`;
  }
  return user === service
    ? undefined
    : `DATABASE_URL connects as "${user}", not as its own role "${service}"`;
}

function composeEnvironment(value: JsonValue | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const item of value) {
      const text = String(item);
      const eq = text.indexOf('=');
      if (eq > 0) env[text.slice(0, eq)] = text.slice(eq + 1);
    }
  } else if (isJsonObject(value)) {
    for (const [k, v] of Object.entries(value)) if (v !== null) env[k] = String(v);
  }
  return env;
}

/* ---------------------------------------------------------------- Kubernetes */

type EnvSource =
  | { kind: 'value'; value: string }
  | { kind: 'configMap'; value: string | undefined; ref: string }
  | { kind: 'secret'; ref: string };

/** What each variable of a container resolves to: a value, a ConfigMap key (and its value) or a Secret key. */
export function containerEnv(container: JsonObject, all: KubeObject[]): Map<string, EnvSource> {
  const configMaps = new Map(
    all
      .filter((o) => o.kind === 'ConfigMap')
      .map((c) => [c.metadata.name, isJsonObject(c['data']) ? c['data'] : {}] as const),
  );
  const result = new Map<string, EnvSource>();
  for (const from of Array.isArray(container['envFrom']) ? container['envFrom'] : []) {
    if (!isJsonObject(from)) continue;
    const prefix = typeof from['prefix'] === 'string' ? from['prefix'] : '';
    // envFrom a Secret is not followed: its keys are not in git, so nothing needed is known to be there.
    const cm = from['configMapRef'];
    if (isJsonObject(cm)) {
      const data = configMaps.get(String(cm['name'])) ?? {};
      for (const [k, v] of Object.entries(data))
        result.set(prefix + k, { kind: 'configMap', value: String(v), ref: `${String(cm['name'])}/${k}` });
    }
  }
  for (const e of Array.isArray(container['env']) ? container['env'] : []) {
    if (!isJsonObject(e)) continue;
    const name = String(e['name']);
    const from = isJsonObject(e['valueFrom']) ? e['valueFrom'] : undefined;
    const cm = from?.['configMapKeyRef'];
    const secret = from?.['secretKeyRef'];
    if (isJsonObject(cm)) {
      const data = configMaps.get(String(cm['name']));
      const v = data?.[String(cm['key'])];
      result.set(name, {
        kind: 'configMap',
        value: v === undefined ? undefined : String(v),
        ref: `${String(cm['name'])}/${String(cm['key'])}`,
      });
    } else if (isJsonObject(secret)) {
      result.set(name, { kind: 'secret', ref: `${String(secret['name'])}/${String(secret['key'])}` });
    } else if (e['value'] !== undefined) {
      result.set(name, { kind: 'value', value: String(e['value']) });
    }
  }
  return result;
}

/** Needed settings a Deployment's container lacks (or gives a loopback value, or a literal credential). */
export function clusterEnvProblems(all: KubeObject[], needs: Record<string, ServiceEnvNeeds>): string[] {
  const problems: string[] = [];
  for (const d of all.filter((o) => o.kind === 'Deployment')) {
    const service = d.metadata.name;
    const need = needs[service];
    if (!need) continue; // reported as not a LeadFlow service
    const template = isJsonObject(d['spec']) ? d['spec']['template'] : undefined;
    const podSpec = isJsonObject(template) ? template['spec'] : undefined;
    const containers =
      isJsonObject(podSpec) && Array.isArray(podSpec['containers']) ? podSpec['containers'] : [];
    for (const c of containers.filter(isJsonObject)) {
      const env = containerEnv(c, all);
      for (const n of need.needed) {
        const p = (msg: string): void =>
          void problems.push(`Deployment/${service} container ${String(c['name'])}: ${n.name} ${msg}`);
        const source = env.get(n.name);
        if (!source) {
          p(`missing (${why(n)})`);
          continue;
        }
        if (n.secret) {
          if (source.kind !== 'secret')
            p('must come from a Secret (secretKeyRef), never a value or a ConfigMap');
          continue;
        }
        if (source.kind === 'secret') continue;
        if (source.value === undefined || source.value.trim() === '') p(`is empty (${why(n)})`);
        else if (isLoopback(source.value)) p(`is a loopback address (${source.value}) in a pod`);
      }
      const where = `Deployment/${service} container ${String(c['name'])}`;
      const values = [...env.values()].map((v) => (v.kind === 'secret' ? '' : (v.value ?? ''))).join('\n');
      for (const [name, source] of env) {
        // a Secret key no setting reads (DATABASE_PASSWORD is read through $(DATABASE_PASSWORD))
        if (source.kind === 'secret' && !need.settings.has(name) && !values.includes(`$(${name})`))
          problems.push(
            `${where}: ${name} (Secret ${source.ref}) is given but ${service} does not read it (${ONLY_WHERE_USED})`,
          );
      }
      if (need.settings.has('DATABASE_URL')) {
        const db = env.get('DATABASE_URL');
        if (db && db.kind === 'secret')
          problems.push(
            `${where}: DATABASE_URL must name its role in the manifest (postgresql://${service}:$(DATABASE_PASSWORD)@...), not come whole from a Secret`,
          );
        else if (db?.value) {
          const problem = databaseUserProblem(service, db.value.replace(/\$\(\w+\)/g, 'x'));
          if (problem) problems.push(`${where}: ${problem}`);
          else if (!managedRoles(all).has(service))
            problems.push(
              `${where}: role ${service} is no login role of the CloudNativePG Cluster (spec.managed.roles)`,
            );
        }
      }
    }
  }
  return problems;
}

/** Login roles the CloudNativePG Cluster manages, whose schema its bootstrap creates for them. */
function managedRoles(all: KubeObject[]): Set<string> {
  const roles = new Set<string>();
  for (const cluster of all.filter((o) => o.kind === 'Cluster')) {
    const spec = isJsonObject(cluster['spec']) ? cluster['spec'] : {};
    const managed = isJsonObject(spec['managed']) ? spec['managed']['roles'] : undefined;
    const initdb = isJsonObject(spec['bootstrap']) ? spec['bootstrap']['initdb'] : undefined;
    const sql =
      isJsonObject(initdb) && Array.isArray(initdb['postInitApplicationSQL'])
        ? initdb['postInitApplicationSQL']
        : [];
    for (const role of Array.isArray(managed) ? managed.filter(isJsonObject) : []) {
      const name = String(role['name']);
      const ownsSchema = sql.some((q) =>
        new RegExp(`^CREATE SCHEMA ${name} AUTHORIZATION ${name}$`, 'i').test(String(q)),
      );
      if (
        role['login'] === true &&
        role['ensure'] !== 'absent' &&
        isJsonObject(role['passwordSecret']) &&
        ownsSchema
      )
        roles.add(name);
    }
  }
  return roles;
}
