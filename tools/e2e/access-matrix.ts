import type { Role, Scope } from '@leadflow/contracts';
import { roleRank } from '@leadflow/contracts';

/** One HTTP operation of a service, with the access rule its OpenAPI document declares. */
export interface Operation {
  service: string;
  method: string;
  path: string;
  public: boolean;
  operator: boolean;
  role?: Role;
  scopes: Scope[];
  pathParams: string[];
}

interface OpenApiOperation {
  'x-leadflow-public'?: boolean;
  'x-leadflow-operator'?: boolean;
  'x-leadflow-role'?: Role;
  'x-leadflow-scopes'?: Scope[];
  parameters?: { name: string; in: string }[];
}

export function operationsOf(
  service: string,
  document: { paths: Record<string, Record<string, OpenApiOperation>> },
): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      service,
      method: method.toUpperCase(),
      path,
      public: op['x-leadflow-public'] === true,
      operator: op['x-leadflow-operator'] === true,
      ...(op['x-leadflow-role'] ? { role: op['x-leadflow-role'] } : {}),
      scopes: op['x-leadflow-scopes'] ?? [],
      pathParams: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
    })),
  );
}

/** Whether a principal with this role and these scopes is refused by the operation's rule. */
export function refuses(op: Operation, principal: { role: Role; scopes: readonly Scope[] }): boolean {
  if (op.role && roleRank[principal.role] < roleRank[op.role]) return true;
  return op.scopes.some((s) => !principal.scopes.includes(s));
}

/** `/api/v1/workspaces/{id}` → the collection whose fixture id fills the parameter. */
export function collectionOf(path: string): string {
  const segments = path.split('/').filter(Boolean);
  const param = segments.findIndex((s) => s.startsWith('{'));
  return segments[param - 1] ?? '';
}

export function fill(path: string, id: string): string {
  return path.replace(/\{[^}]+\}/g, id);
}
