import { pruneComponents } from '@leadflow/platform/service';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { UpstreamService } from '../routing/route-table';
import { matchRoute } from '../routing/route-table';

/**
 * The public contract as one document: the gateway's own operations and, of each service's
 * document, the paths the gateway routes to that service (`/admin/*`, `/healthz` and the
 * operator routes on a service's own port are left out). Components are shared: a name two
 * services define differently, or an operationId used twice, is an error rather than a silent
 * overwrite, since a generated client would then call the wrong thing.
 */
export function mergeDocuments(
  gateway: OpenAPIObject,
  services: Partial<Record<UpstreamService, OpenAPIObject>>,
): OpenAPIObject {
  const merged: OpenAPIObject = structuredClone(gateway);
  merged.info = {
    ...merged.info,
    title: 'LeadFlow API',
    description: 'The public contract of LeadFlow: every route the gateway serves or routes to a service.',
  };
  const components = (merged.components ??= {}) as Record<string, Record<string, unknown> | undefined>;
  const operationIds = new Map<string, string>();
  const problems: string[] = [];
  const noteOperations = (source: string, item: object): void => {
    for (const op of Object.values(item) as { operationId?: string }[]) {
      if (typeof op !== 'object' || !op?.operationId) continue;
      const seen = operationIds.get(op.operationId);
      if (seen) problems.push(`operationId ${op.operationId} of ${source} is already used by ${seen}`);
      else operationIds.set(op.operationId, source);
    }
  };
  for (const item of Object.values(merged.paths)) noteOperations('gateway', item);

  for (const [service, document] of Object.entries(services) as [UpstreamService, OpenAPIObject][]) {
    for (const [path, item] of Object.entries(document.paths)) {
      const match = matchRoute(path.replace(/\{[^}]+\}/g, 'x'));
      if (match.kind !== 'upstream' || match.service !== service) continue;
      if (merged.paths[path]) {
        problems.push(`path ${path} of ${service} is also served by another document`);
        continue;
      }
      noteOperations(service, item);
      merged.paths[path] = structuredClone(item);
    }
    for (const [kind, entries] of Object.entries(document.components ?? {}) as [string, object][]) {
      const target = (components[kind] ??= {});
      for (const [name, value] of Object.entries(entries)) {
        if (name in target && JSON.stringify(target[name]) !== JSON.stringify(value))
          problems.push(`components.${kind}.${name} of ${service} differs from another document's`);
        else target[name] = structuredClone(value);
      }
    }
    merged.tags = [
      ...(merged.tags ?? []),
      ...(document.tags ?? []).filter((tag) => !(merged.tags ?? []).some((t) => t.name === tag.name)),
    ];
  }
  // The public origin, from the service documents that know it (ingestion's PUBLIC_BASE_URL).
  const origin = Object.values(services)
    .flatMap((document) => document?.servers ?? [])
    .find((server) => /^https?:\/\//.test(server.url));
  if (origin) merged.servers = [origin];
  if (problems.length > 0) throw new Error(`the OpenAPI documents do not merge:\n${problems.join('\n')}`);
  return pruneComponents(merged);
}
