import { NotFoundError } from '@leadflow/platform/errors';
import type {
  EntityManager,
  FindManyOptions,
  FindOptionsWhere,
  ObjectLiteral,
  Repository,
  SelectQueryBuilder,
} from 'typeorm';
import { In } from 'typeorm';

/**
 * Whose rows a caller may touch: always one organization, and for a workspace-limited principal
 * only the listed workspaces. Built from the authenticated principal (libs/platform/auth).
 */
export interface TenantScope {
  organizationId: string;
  /** `undefined`: every workspace of the organization; a list: only those. */
  workspaceIds?: readonly string[];
}

export interface TenantEntity extends ObjectLiteral {
  organizationId: string;
  workspaceId?: string | null;
}

/**
 * The only way a feature repository reads or writes tenant-owned rows: every query is filtered by
 * the scope's organization (and workspaces), so forgetting `organization_id` cannot happen. Rows of
 * another tenant are simply not found (404 at the edge), never "forbidden".
 */
export class TenantRepository<T extends TenantEntity> {
  constructor(
    private readonly repository: Repository<T>,
    private readonly resourceName: string,
    private readonly options: { workspaceScoped: boolean } = { workspaceScoped: true },
  ) {}

  /** The same repository bound to a transaction's manager. */
  within(manager: EntityManager): TenantRepository<T> {
    return new TenantRepository(
      manager.getRepository<T>(this.repository.target),
      this.resourceName,
      this.options,
    );
  }

  scoped(scope: TenantScope, where: FindOptionsWhere<T> = {}): FindOptionsWhere<T> {
    const clause: Record<string, unknown> = { ...where, organizationId: scope.organizationId };
    if (this.options.workspaceScoped && scope.workspaceIds !== undefined) {
      const requested = clause.workspaceId;
      if (typeof requested === 'string') {
        if (!scope.workspaceIds.includes(requested)) clause.workspaceId = In([]);
      } else {
        clause.workspaceId = In([...scope.workspaceIds]);
      }
    }
    return clause as FindOptionsWhere<T>;
  }

  find(
    scope: TenantScope,
    options: Omit<FindManyOptions<T>, 'where'> & { where?: FindOptionsWhere<T> } = {},
  ): Promise<T[]> {
    return this.repository.find({ ...options, where: this.scoped(scope, options.where) });
  }

  count(scope: TenantScope, where: FindOptionsWhere<T> = {}): Promise<number> {
    return this.repository.count({ where: this.scoped(scope, where) });
  }

  findOne(scope: TenantScope, where: FindOptionsWhere<T>): Promise<T | null> {
    return this.repository.findOne({ where: this.scoped(scope, where) });
  }

  async getOrNotFound(scope: TenantScope, id: string): Promise<T> {
    const row = await this.findOne(scope, { id } as unknown as FindOptionsWhere<T>);
    if (!row) throw new NotFoundError(this.resourceName, id);
    return row;
  }

  /** Inserts rows stamped with the scope's organization. */
  async insert(scope: TenantScope, rows: Omit<T, 'organizationId'>[]): Promise<T[]> {
    const entities = rows.map((r) =>
      this.repository.create({ ...r, organizationId: scope.organizationId } as T),
    );
    return this.repository.save(entities);
  }

  /** Updates the rows the scope can see; answers how many changed. */
  async update(scope: TenantScope, where: FindOptionsWhere<T>, patch: Partial<T>): Promise<number> {
    const { organizationId: _ignored, ...safe } = patch as Partial<T> & { organizationId?: string };
    const result = await this.repository.update(this.scoped(scope, where), safe as never);
    return result.affected ?? 0;
  }

  async delete(scope: TenantScope, where: FindOptionsWhere<T>): Promise<number> {
    const result = await this.repository.delete(this.scoped(scope, where));
    return result.affected ?? 0;
  }

  /** A query builder already filtered by the scope (column names are the entity's properties). */
  queryBuilder(scope: TenantScope, alias: string): SelectQueryBuilder<T> {
    const qb = this.repository.createQueryBuilder(alias).where(`${alias}.organizationId = :__org`, {
      __org: scope.organizationId,
    });
    if (this.options.workspaceScoped && scope.workspaceIds !== undefined) {
      qb.andWhere(`${alias}.workspaceId IN (:...__ws)`, {
        __ws: scope.workspaceIds.length ? [...scope.workspaceIds] : [null],
      });
    }
    return qb;
  }
}
