import { randomBytes } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import {
  InvalidCursorError,
  dropDatabase,
  encodeCursor,
  keysetPage,
  keysetSql,
  openServiceDataSource,
} from '../src';
import type { KeysetDirection, KeysetKey, PageRequest } from '../src';

const schema = 'keyset_test';

@Entity({ name: 'items', schema })
class ItemEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'happened_at', type: 'timestamptz' }) happenedAt!: Date;
  @Column('text') kind!: string;
}

class CreateItems1700000000000 implements MigrationInterface {
  name = 'CreateItems1700000000000';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE ${schema}.items (id uuid PRIMARY KEY, created_at timestamptz NOT NULL,
      happened_at timestamptz NOT NULL, kind text NOT NULL)`);
  }
  async down(): Promise<void> {}
}

/** 7 rows: three share one instant (ties broken by id), `happened_at` runs the other way round. */
function rowsOf(): ItemEntity[] {
  const instants = [
    '2026-01-01',
    '2026-01-02',
    '2026-01-02',
    '2026-01-02',
    '2026-01-03',
    '2026-01-04',
    '2026-01-05',
  ];
  return instants.map((day, n) =>
    Object.assign(new ItemEntity(), {
      id: uuidv7(),
      createdAt: new Date(`${day}T00:00:00.000Z`),
      happenedAt: new Date(Date.UTC(2026, 5, 30 - n)),
      kind: n % 2 === 0 ? 'even' : 'odd',
    }),
  );
}

function byKey(column: 'createdAt' | 'happenedAt', direction: KeysetDirection) {
  return (a: ItemEntity, b: ItemEntity): number => {
    const diff = a[column].getTime() - b[column].getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    return direction === 'ASC' ? diff : -diff;
  };
}

describe('keyset pages (real PostgreSQL)', () => {
  let url: string;
  let dataSource: DataSource;
  const rows = rowsOf();

  beforeAll(async () => {
    const base = new URL(process.env['DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/leadflow');
    base.pathname = `/lf_t_${process.env['TEST_RUN_ID'] || 'local'}_keyset_${randomBytes(2).toString('hex')}`;
    url = base.toString();
    await dropDatabase(url);
    dataSource = await openServiceDataSource({
      url,
      schema,
      entities: [ItemEntity],
      migrations: [CreateItems1700000000000],
    });
    await dataSource.getRepository(ItemEntity).insert(rows);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await dropDatabase(url);
  });

  /** Every page of the list, following nextCursor to the end. */
  async function walk(
    fetch: (page: PageRequest) => Promise<{ items: { id: string }[]; nextCursor: string | null }>,
    limit: number,
  ): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await fetch({ limit, ...(cursor !== undefined ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(limit);
      ids.push(...page.items.map((i) => i.id));
      if (page.nextCursor === null) return ids;
      cursor = page.nextCursor;
    }
    throw new Error('the list never ended');
  }

  const orders: ['createdAt' | 'happenedAt', KeysetDirection][] = [
    ['createdAt', 'DESC'],
    ['createdAt', 'ASC'],
    ['happenedAt', 'DESC'],
    ['happenedAt', 'ASC'],
  ];

  it.each(orders)(
    'pages a query builder by (%s, id) %s, ties included, each row once',
    async (column, direction) => {
      const expected = [...rows].sort(byKey(column, direction)).map((r) => r.id);
      for (const limit of [1, 2, 3, 7, 50]) {
        const ids = await walk(
          (page) =>
            keysetPage(dataSource.getRepository(ItemEntity).createQueryBuilder('i'), 'i', page, {
              column,
              direction,
            }),
          limit,
        );
        expect(ids).toEqual(expected);
      }
    },
  );

  it('orders newest first by created_at by default, with the caller’s filters kept', async () => {
    const expected = rows
      .filter((r) => r.kind === 'even')
      .sort(byKey('createdAt', 'DESC'))
      .map((r) => r.id);
    const ids = await walk(
      (page) =>
        keysetPage(
          dataSource
            .getRepository(ItemEntity)
            .createQueryBuilder('i')
            .where('i.kind = :kind', { kind: 'even' }),
          'i',
          page,
        ),
      1,
    );
    expect(ids).toEqual(expected);
  });

  it.each(orders)('pages SQL text by (%s, id) %s the same way', async (column, direction) => {
    const sqlColumn = column === 'createdAt' ? 'created_at' : 'happened_at';
    const expected = [...rows].sort(byKey(column, direction)).map((r) => r.id);
    for (const limit of [1, 3, 50]) {
      const ids = await walk(async (page) => {
        const params: unknown[] = ['even', 'odd'];
        const keyset = keysetSql(page, { column: sqlColumn, direction }, params);
        const where = ['kind IN ($1, $2)', ...(keyset.condition !== null ? [keyset.condition] : [])];
        const found: { id: string; [column: string]: unknown }[] = await dataSource.query(
          `SELECT id, ${sqlColumn} FROM ${schema}.items WHERE ${where.join(' AND ')} ${keyset.orderAndLimit}`,
          params,
        );
        return keyset.page(found);
      }, limit);
      expect(ids).toEqual(expected);
    }
  });

  /** A key of a list's own: (kind, happened_at, id), its cursor plain JSON (a test's codec). */
  const kindKey: KeysetKey<ItemEntity> = {
    columns: ['kind', 'happenedAt'],
    encode: (row) => JSON.stringify([row.kind, row.happenedAt.toISOString(), row.id]),
    decode: (cursor) => {
      try {
        const parsed: unknown = JSON.parse(cursor);
        if (Array.isArray(parsed)) return parsed;
      } catch {
        // fall through
      }
      throw new InvalidCursorError();
    },
  };

  it.each(['ASC', 'DESC'] as const)(
    'pages by a key of its own (kind, happenedAt, id) %s',
    async (direction) => {
      const sign = direction === 'ASC' ? 1 : -1;
      const expected = [...rows]
        .sort(
          (a, b) => sign * (a.kind.localeCompare(b.kind) || a.happenedAt.getTime() - b.happenedAt.getTime()),
        )
        .map((r) => r.id);
      for (const limit of [1, 2, 50]) {
        const ids = await walk(
          (page) =>
            keysetPage(dataSource.getRepository(ItemEntity).createQueryBuilder('i'), 'i', page, {
              key: kindKey,
              direction,
            }),
          limit,
        );
        expect(ids).toEqual(expected);
      }
      // a cursor standing for fewer values than the key has is refused, not sent to SQL
      await expect(
        keysetPage(
          dataSource.getRepository(ItemEntity).createQueryBuilder('i'),
          'i',
          {
            limit: 1,
            cursor: JSON.stringify(['even', rows[0].id]),
          },
          { key: kindKey },
        ),
      ).rejects.toThrow(InvalidCursorError);
    },
  );

  it('refuses a tampered cursor before any SQL runs (InvalidCursorError: a 400 naming cursor)', async () => {
    const issued = encodeCursor({ createdAt: rows[0].createdAt.toISOString(), id: rows[0].id });
    for (const cursor of [`${issued.slice(0, -4)}~~!!`, issued.slice(0, 12), 'not-a-cursor']) {
      await expect(
        keysetPage(dataSource.getRepository(ItemEntity).createQueryBuilder('i'), 'i', { limit: 2, cursor }),
      ).rejects.toThrow(InvalidCursorError);
      expect(() => keysetSql({ limit: 2, cursor }, { column: 'created_at', direction: 'ASC' }, [])).toThrow(
        InvalidCursorError,
      );
    }
  });
});
