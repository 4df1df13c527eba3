/**
 * A small, offline kustomize renderer for the subset of kustomize that k8s/ uses:
 * `resources` (files and directories with their own kustomization), `namespace`, `images`,
 * `labels` / `commonLabels` and `patches` with strategic-merge patch files (`path` + optional
 * `target`). Anything else fails loudly, so a kustomization can never carry config that this
 * renderer (and so the deploy checks) silently ignore. It is stricter than kustomize in two
 * places: a patch or an `images` entry that matches nothing is an error.
 *
 * Transformer order follows kustomize: resources, then patches, namespace, labels, images.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export interface KubeObject extends JsonObject {
  apiVersion: string;
  kind: string;
  metadata: JsonObject & { name: string; namespace?: string };
}

export class KustomizeError extends Error {
  override name = 'KustomizeError';
}

const SUPPORTED_FIELDS = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'resources',
  'namespace',
  'images',
  'labels',
  'commonLabels',
  'patches',
]);
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace',
  'ClusterRole',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
]);
/** Kinds whose namespace handling needs more than metadata.namespace (subjects etc.). */
const UNSUPPORTED_KINDS = new Set(['RoleBinding', 'ClusterRoleBinding', 'ServiceAccount']);

const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);
/** Where each kind keeps its label selector (kustomize's commonLabels field specs, trimmed). */
const SELECTOR_PATHS: Record<string, string[][]> = {
  Deployment: [['spec', 'selector', 'matchLabels']],
  StatefulSet: [['spec', 'selector', 'matchLabels']],
  DaemonSet: [['spec', 'selector', 'matchLabels']],
  ReplicaSet: [['spec', 'selector', 'matchLabels']],
  PodDisruptionBudget: [['spec', 'selector', 'matchLabels']],
  Service: [['spec', 'selector']],
};

/**
 * Strategic-merge-patch merge keys of the built-in list fields we may patch (from the
 * Kubernetes OpenAPI `x-kubernetes-patch-merge-key`). Other lists of built-in kinds, and every
 * list of a custom resource (kustomize has no schema for those), are replaced by the patch.
 */
const MERGE_KEYS: Record<string, (item: JsonObject) => string | undefined> = {
  containers: () => 'name',
  initContainers: () => 'name',
  ephemeralContainers: () => 'name',
  env: () => 'name',
  volumes: () => 'name',
  imagePullSecrets: () => 'name',
  volumeMounts: () => 'mountPath',
  volumeDevices: () => 'devicePath',
  hostAliases: () => 'ip',
  topologySpreadConstraints: () => 'topologyKey',
  // container ports merge on containerPort, Service ports on port
  ports: (item) => ('containerPort' in item ? 'containerPort' : 'port' in item ? 'port' : undefined),
};

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clone<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}

function fail(where: string, message: string): never {
  throw new KustomizeError(`${where}: ${message}`);
}

function isBuiltinApi(apiVersion: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  return group === '' || !group.includes('.') || group.endsWith('.k8s.io');
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
}

export function resourceId(obj: KubeObject): string {
  const group = groupOf(obj.apiVersion);
  return `${group ? `${group}/` : ''}${obj.kind}/${obj.metadata.namespace ?? '~'}/${obj.metadata.name}`;
}

/** Parses every YAML document of a file; empty documents are skipped. */
export function loadYamlDocuments(file: string): JsonValue[] {
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'), { merge: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const values: JsonValue[] = [];
  for (const doc of list) {
    if (doc.errors.length > 0) fail(file, `invalid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as JsonValue | undefined;
    if (value !== null && value !== undefined) values.push(value);
  }
  return values;
}

function asKubeObject(value: JsonValue, where: string): KubeObject {
  if (!isJsonObject(value)) fail(where, 'a resource must be a mapping');
  const { apiVersion, kind, metadata } = value;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string')
    fail(where, 'resource without apiVersion/kind');
  if (!isJsonObject(metadata) || typeof metadata['name'] !== 'string' || metadata['name'] === '') {
    fail(where, `${kind} without metadata.name`);
  }
  return value as KubeObject;
}

function findKustomization(dir: string): string {
  for (const name of KUSTOMIZATION_FILES) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return file;
  }
  return fail(dir, 'directory has no kustomization.yaml');
}

function stringList(value: JsonValue | undefined, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    fail(where, 'must be a list of strings');
  }
  return value;
}

function checkKeys(obj: JsonObject, allowed: string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(where, `unsupported field "${key}" (supported: ${allowed.join(', ')})`);
  }
}

/** Renders the kustomization in `dir` (a directory containing kustomization.yaml). */
export function renderKustomization(dir: string): KubeObject[] {
  const file = findKustomization(path.resolve(dir));
  const base = path.dirname(file);
  const docs = loadYamlDocuments(file);
  if (docs.length !== 1 || !isJsonObject(docs[0])) fail(file, 'must hold exactly one mapping');
  const k = docs[0];
  for (const key of Object.keys(k)) {
    if (!SUPPORTED_FIELDS.has(key)) {
      fail(
        file,
        `unsupported kustomization field "${key}" (this renderer supports ${[...SUPPORTED_FIELDS].join(', ')})`,
      );
    }
  }
  if (k['apiVersion'] !== undefined && k['apiVersion'] !== 'kustomize.config.k8s.io/v1beta1') {
    fail(file, `unsupported apiVersion ${String(k['apiVersion'])}`);
  }
  if (k['kind'] !== undefined && k['kind'] !== 'Kustomization')
    fail(file, `unsupported kind ${String(k['kind'])}`);

  // resources
  const objects: KubeObject[] = [];
  const seen = new Map<string, string>();
  for (const ref of stringList(k['resources'], `${file} resources`)) {
    if (/^[a-z]+:\/\//i.test(ref) || ref.startsWith('github.com/'))
      fail(file, `remote resource "${ref}" is not supported`);
    const target = path.resolve(base, ref);
    if (!fs.existsSync(target)) fail(file, `resource "${ref}" does not exist`);
    const loaded = fs.statSync(target).isDirectory()
      ? renderKustomization(target)
      : loadYamlDocuments(target).map((doc, i) => asKubeObject(doc, `${target}#${i}`));
    for (const obj of loaded) {
      if (UNSUPPORTED_KINDS.has(obj.kind)) fail(target, `kind ${obj.kind} is not supported by this renderer`);
      const id = resourceId(obj);
      const previous = seen.get(id);
      if (previous !== undefined) fail(file, `duplicate resource ${id} (from ${previous} and ${ref})`);
      seen.set(id, ref);
      objects.push(obj);
    }
  }

  applyPatches(objects, k['patches'], base, file);
  applyNamespace(objects, k['namespace'], file);
  applyLabels(objects, k['labels'], k['commonLabels'], file);
  applyImages(objects, k['images'], file);
  return objects;
}

/* ---------------------------------------------------------------- patches */

interface PatchTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
}

function applyPatches(
  objects: KubeObject[],
  patches: JsonValue | undefined,
  base: string,
  file: string,
): void {
  if (patches === undefined) return;
  if (!Array.isArray(patches)) fail(file, 'patches must be a list');
  patches.forEach((entry, i) => {
    const where = `${file} patches[${i}]`;
    if (!isJsonObject(entry)) fail(where, 'must be a mapping');
    checkKeys(entry, ['path', 'target'], where);
    const patchPath = entry['path'];
    if (typeof patchPath !== 'string') fail(where, 'needs "path" (inline "patch" is not supported)');
    const patchFile = path.resolve(base, patchPath);
    if (!fs.existsSync(patchFile)) fail(where, `patch file ${patchPath} does not exist`);
    const docs = loadYamlDocuments(patchFile);
    if (docs.length !== 1) fail(patchFile, 'a patch file must hold exactly one document');
    const doc = docs[0];
    if (Array.isArray(doc))
      fail(patchFile, 'JSON6902 patches are not supported; use a strategic-merge patch');
    const patch = asKubeObject(doc, patchFile);
    rejectDirectives(patch, patchFile);

    let matches: KubeObject[];
    if (entry['target'] === undefined) {
      matches = objects.filter(
        (o) =>
          o.kind === patch.kind &&
          groupOf(o.apiVersion) === groupOf(patch.apiVersion) &&
          o.metadata.name === patch.metadata.name &&
          (patch.metadata.namespace === undefined || o.metadata.namespace === patch.metadata.namespace),
      );
    } else {
      const target = parseTarget(entry['target'], where);
      matches = objects.filter((o) => matchesTarget(o, target));
      if (target.kind !== undefined && target.kind !== patch.kind) {
        fail(where, `patch kind ${patch.kind} differs from target kind ${target.kind}`);
      }
    }
    if (matches.length === 0) fail(where, `patch ${patchPath} matches no resource`);

    const body: JsonObject = clone(patch);
    delete body['apiVersion'];
    delete body['kind'];
    const meta = clone(patch.metadata) as JsonObject;
    delete meta['name'];
    delete meta['namespace'];
    if (Object.keys(meta).length > 0) body['metadata'] = meta;
    else delete body['metadata'];

    for (const obj of matches) {
      const merged = strategicMerge(obj, body, isBuiltinApi(obj.apiVersion), '') as JsonObject;
      for (const key of Object.keys(obj)) delete obj[key];
      Object.assign(obj, merged);
    }
  });
}

function rejectDirectives(value: JsonValue, where: string): void {
  if (Array.isArray(value)) value.forEach((v) => rejectDirectives(v, where));
  else if (isJsonObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (key.startsWith('$')) fail(where, `patch directive "${key}" is not supported`);
      rejectDirectives(v, where);
    }
  }
}

function parseTarget(value: JsonValue, where: string): PatchTarget {
  if (!isJsonObject(value)) fail(where, 'target must be a mapping');
  const allowed = ['group', 'version', 'kind', 'name', 'namespace', 'labelSelector'];
  checkKeys(value, allowed, `${where} target`);
  const target: PatchTarget = {};
  for (const key of allowed) {
    const v = value[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') fail(where, `target.${key} must be a string`);
    target[key as keyof PatchTarget] = v;
  }
  if (
    target.labelSelector !== undefined &&
    !/^[\w./-]+(=[\w.-]*)?(,[\w./-]+(=[\w.-]*)?)*$/.test(target.labelSelector)
  ) {
    fail(
      where,
      `target.labelSelector "${target.labelSelector}": only "key=value" and "key" terms are supported`,
    );
  }
  return target;
}

function matchesTarget(obj: KubeObject, target: PatchTarget): boolean {
  const group = groupOf(obj.apiVersion);
  const version = obj.apiVersion.slice(obj.apiVersion.lastIndexOf('/') + 1);
  if (target.kind !== undefined && target.kind !== obj.kind) return false;
  if (target.group !== undefined && target.group !== group) return false;
  if (target.version !== undefined && target.version !== version) return false;
  if (target.name !== undefined && !new RegExp(`^(?:${target.name})$`).test(obj.metadata.name)) return false;
  if (
    target.namespace !== undefined &&
    !new RegExp(`^(?:${target.namespace})$`).test(obj.metadata.namespace ?? '')
  ) {
    return false;
  }
  if (target.labelSelector !== undefined) {
    const labels = isJsonObject(obj.metadata['labels']) ? obj.metadata['labels'] : {};
    for (const term of target.labelSelector.split(',')) {
      const [key, value] = term.split('=', 2) as [string, string | undefined];
      if (!(key in labels)) return false;
      if (value !== undefined && labels[key] !== value) return false;
    }
  }
  return true;
}

/**
 * Strategic merge: mappings merge recursively, `null` deletes a key, lists with a known
 * merge key (built-in kinds only) merge item by item, every other list is replaced.
 */
export function strategicMerge(
  base: JsonValue | undefined,
  patch: JsonValue,
  builtin: boolean,
  field: string,
): JsonValue {
  if (isJsonObject(patch)) {
    const result: JsonObject = isJsonObject(base) ? clone(base) : {};
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete result[key];
      else result[key] = strategicMerge(result[key], value, builtin, key);
    }
    return result;
  }
  if (Array.isArray(patch) && Array.isArray(base) && builtin && field in MERGE_KEYS) {
    return mergeList(base, patch, MERGE_KEYS[field]!, builtin, field);
  }
  return clone(patch);
}

function mergeList(
  base: JsonValue[],
  patch: JsonValue[],
  keyOf: (item: JsonObject) => string | undefined,
  builtin: boolean,
  field: string,
): JsonValue[] {
  const keyed = (items: JsonValue[]): items is JsonObject[] =>
    items.every(
      (item) => isJsonObject(item) && keyOf(item) !== undefined && item[keyOf(item)!] !== undefined,
    );
  if (!keyed(base) || !keyed(patch)) {
    throw new KustomizeError(`cannot strategic-merge list "${field}": every item needs its merge key`);
  }
  const keyValue = (item: JsonObject): string => JSON.stringify(item[keyOf(item)!]);
  const result: JsonObject[] = base.map((item) => clone(item));
  for (const item of patch) {
    const index = result.findIndex((existing) => keyValue(existing) === keyValue(item));
    if (index >= 0) result[index] = strategicMerge(result[index], item, builtin, field) as JsonObject;
    else result.push(clone(item));
  }
  return result;
}

/* ---------------------------------------------------------------- namespace, labels, images */

function applyNamespace(objects: KubeObject[], namespace: JsonValue | undefined, file: string): void {
  if (namespace === undefined) return;
  if (typeof namespace !== 'string' || namespace === '') fail(file, 'namespace must be a non-empty string');
  for (const obj of objects) {
    if (!CLUSTER_SCOPED_KINDS.has(obj.kind)) obj.metadata.namespace = namespace;
  }
}

function getPath(obj: JsonObject, keys: string[], create: boolean): JsonObject | undefined {
  let current: JsonObject = obj;
  for (const key of keys) {
    const next = current[key];
    if (isJsonObject(next)) current = next;
    else if (create && next === undefined) {
      const made: JsonObject = {};
      current[key] = made;
      current = made;
    } else return undefined;
  }
  return current;
}

function podTemplatePaths(obj: KubeObject): string[][] {
  if (POD_TEMPLATE_KINDS.has(obj.kind)) return [['spec', 'template']];
  if (obj.kind === 'CronJob') return [['spec', 'jobTemplate', 'spec', 'template']];
  return [];
}

function applyLabels(
  objects: KubeObject[],
  labels: JsonValue | undefined,
  commonLabels: JsonValue | undefined,
  file: string,
): void {
  const sets: { pairs: Record<string, string>; selectors: boolean; templates: boolean }[] = [];
  const pairsOf = (value: JsonValue | undefined, where: string): Record<string, string> => {
    if (!isJsonObject(value)) fail(where, 'must be a mapping of label pairs');
    for (const [key, v] of Object.entries(value)) {
      if (typeof v !== 'string') fail(where, `label ${key} must be a string`);
    }
    return value as Record<string, string>;
  };
  if (commonLabels !== undefined) {
    sets.push({ pairs: pairsOf(commonLabels, `${file} commonLabels`), selectors: true, templates: true });
  }
  if (labels !== undefined) {
    if (!Array.isArray(labels)) fail(file, 'labels must be a list');
    labels.forEach((entry, i) => {
      const where = `${file} labels[${i}]`;
      if (!isJsonObject(entry)) fail(where, 'must be a mapping');
      checkKeys(entry, ['pairs', 'includeSelectors', 'includeTemplates'], where);
      const selectors = entry['includeSelectors'] ?? false;
      const templates = entry['includeTemplates'] ?? false;
      if (typeof selectors !== 'boolean' || typeof templates !== 'boolean')
        fail(where, 'include* must be booleans');
      sets.push({
        pairs: pairsOf(entry['pairs'], `${where}.pairs`),
        selectors,
        templates: templates || selectors,
      });
    });
  }
  for (const set of sets) {
    for (const obj of objects) {
      const targets: JsonObject[] = [getPath(obj, ['metadata', 'labels'], true)!];
      if (set.templates) {
        for (const p of podTemplatePaths(obj)) {
          const template = getPath(obj, p, false);
          if (template) targets.push(getPath(template, ['metadata', 'labels'], true)!);
        }
      }
      if (set.selectors) {
        for (const p of SELECTOR_PATHS[obj.kind] ?? []) targets.push(getPath(obj, p, true)!);
      }
      for (const target of targets) Object.assign(target, set.pairs);
    }
  }
}

interface ImageRef {
  name: string;
  tag?: string;
  digest?: string;
}

export function parseImage(image: string): ImageRef {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const rest = at >= 0 ? image.slice(0, at) : image;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/'))
    return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { name: rest, digest };
}

function applyImages(objects: KubeObject[], images: JsonValue | undefined, file: string): void {
  if (images === undefined) return;
  if (!Array.isArray(images)) fail(file, 'images must be a list');
  images.forEach((entry, i) => {
    const where = `${file} images[${i}]`;
    if (!isJsonObject(entry)) fail(where, 'must be a mapping');
    checkKeys(entry, ['name', 'newName', 'newTag', 'digest'], where);
    for (const [key, v] of Object.entries(entry))
      if (typeof v !== 'string') fail(where, `${key} must be a string`);
    const { name, newName, newTag, digest } = entry as Record<string, string | undefined>;
    if (!name) fail(where, 'needs a name');
    let used = 0;
    for (const obj of objects) {
      for (const p of podTemplatePaths(obj)) {
        const podSpec = getPath(obj, [...p, 'spec'], false);
        if (!podSpec) continue;
        for (const listName of ['initContainers', 'containers']) {
          const list = podSpec[listName];
          if (!Array.isArray(list)) continue;
          for (const container of list) {
            if (!isJsonObject(container) || typeof container['image'] !== 'string') continue;
            const ref = parseImage(container['image']);
            if (ref.name !== name) continue;
            used++;
            const finalName = newName ?? ref.name;
            if (digest) container['image'] = `${finalName}@${digest}`;
            else if (newTag) container['image'] = `${finalName}:${newTag}`;
            else {
              const suffix = ref.digest ? `@${ref.digest}` : ref.tag ? `:${ref.tag}` : '';
              container['image'] = `${finalName}${suffix}`;
            }
          }
        }
      }
    }
    if (used === 0) fail(where, `image "${name}" is used by no container`);
  });
}
