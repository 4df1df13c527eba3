/**
 * The manifests as ops apply them: `kubectl kustomize <overlay>` (kustomize built into kubectl,
 * Debian's `kubernetes-client`; `npm test` installs it when missing), parsed into plain objects.
 * Set KUBECTL to use another binary.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

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

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses every YAML document of a text; empty documents are skipped. */
export function parseYamlDocuments(text: string, where: string): JsonValue[] {
  const values: JsonValue[] = [];
  for (const doc of parseAllDocuments(text, { merge: true })) {
    if (doc.errors.length > 0)
      throw new KustomizeError(`${where}: invalid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as JsonValue | undefined;
    if (value !== null && value !== undefined) values.push(value);
  }
  return values;
}

export function loadYamlDocuments(file: string): JsonValue[] {
  return parseYamlDocuments(fs.readFileSync(file, 'utf8'), file);
}

export interface ImageRef {
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

export const KUBECTL = process.env['KUBECTL'] || 'kubectl';

/** Runs `kubectl kustomize` on a directory; a failure (or a missing kubectl) says what to do. */
export function kustomize(dir: string, extraArgs: string[] = []): string {
  try {
    return execFileSync(KUBECTL, ['kustomize', ...extraArgs, dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT')
      throw new KustomizeError(
        `${KUBECTL} not found: install kubectl (Debian: apt-get install kubernetes-client; \`npm test\` does it) or set KUBECTL`,
      );
    throw new KustomizeError(`kubectl kustomize ${dir}: ${(e.stderr ?? e.message).trim()}`);
  }
}

function asKubeObject(value: JsonValue, where: string): KubeObject {
  const ok =
    isJsonObject(value) &&
    typeof value['apiVersion'] === 'string' &&
    typeof value['kind'] === 'string' &&
    isJsonObject(value['metadata']) &&
    typeof value['metadata']['name'] === 'string';
  if (!ok) throw new KustomizeError(`${where}: an object without apiVersion, kind or metadata.name`);
  return value as KubeObject;
}

/** The objects of an overlay as the real kustomize renders them. */
export function renderOverlay(dir: string, extraArgs: string[] = []): KubeObject[] {
  return parseYamlDocuments(kustomize(dir, extraArgs), dir).map((v) => asKubeObject(v, dir));
}

/**
 * What kustomize accepts silently but is a mistake here: an `images` entry no container uses,
 * and a targeted patch that changes nothing (kustomize applies a patch whose target matches no
 * object, or matches but sets what is already there, without a word).
 */
export function kustomizationProblems(dir: string): string[] {
  const file = path.join(dir, 'kustomization.yaml');
  const [doc] = loadYamlDocuments(file);
  if (!isJsonObject(doc)) return [`${file}: not a mapping`];
  const problems: string[] = [];
  const rendered = renderOverlay(dir);
  const images = new Set<string>();
  for (const obj of rendered) {
    const podSpec = (obj['spec'] as JsonObject | undefined)?.['template'] as JsonObject | undefined;
    const containers = (podSpec?.['spec'] as JsonObject | undefined)?.['containers'];
    if (Array.isArray(containers))
      for (const c of containers) if (isJsonObject(c)) images.add(String(c['image']));
  }
  for (const entry of Array.isArray(doc['images']) ? doc['images'] : []) {
    if (!isJsonObject(entry)) continue;
    const name = String(entry['newName'] ?? entry['name']);
    const tag = entry['newTag'] === undefined ? undefined : String(entry['newTag']);
    const used = [...images].some((image) => {
      const ref = parseImage(image);
      return ref.name === name && (tag === undefined || ref.tag === tag);
    });
    if (!used) problems.push(`${file}: image ${String(entry['name'])} is used by no container`);
  }

  const patches = Array.isArray(doc['patches']) ? doc['patches'] : [];
  const baseline = stringify(rendered);
  patches.forEach((patch, i) => {
    if (!isJsonObject(patch) || patch['target'] === undefined) return; // untargeted: kustomize refuses a miss
    const without = renderWithout(dir, doc, i);
    if (stringify(without) === baseline)
      problems.push(`${file}: patch ${String(patch['path'] ?? i)} changes nothing`);
  });
  return problems;
}

/**
 * Renders the kustomization without its patch number `skip`, from a temporary copy beside it
 * (kustomize refuses absolute paths to bases, so the copy refers to the originals relatively).
 */
function renderWithout(dir: string, doc: JsonObject, skip: number): KubeObject[] {
  const tmp = fs.mkdtempSync(path.join(path.dirname(dir), '.deploy-check-'));
  try {
    const rel = (p: JsonValue): JsonValue =>
      typeof p === 'string' && !/^[a-z]+:\/\//.test(p) ? path.relative(tmp, path.resolve(dir, p)) : p;
    const copy: JsonObject = { ...doc };
    if (Array.isArray(doc['resources'])) copy['resources'] = doc['resources'].map(rel);
    copy['patches'] = (Array.isArray(doc['patches']) ? doc['patches'] : [])
      .filter((_, i) => i !== skip)
      .map((p) => (isJsonObject(p) && p['path'] !== undefined ? { ...p, path: rel(p['path']) } : p));
    fs.writeFileSync(path.join(tmp, 'kustomization.yaml'), stringify(copy));
    return renderOverlay(tmp, ['--load-restrictor', 'LoadRestrictionsNone']);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
