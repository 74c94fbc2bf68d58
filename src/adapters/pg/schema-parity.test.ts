/**
 * Issue 15: the SQLite and PostgreSQL schemas, as their migrations leave them, match table by
 * table — the same tables, columns (name, nullability, type family, whether defaulted), primary
 * keys, indexes (name, uniqueness, columns) and foreign keys (columns, target, on delete). A
 * migration added to one store and forgotten in the other fails here.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { migrateDatabase, openDatabase, type OpenDb } from '../db/database.js'
import { openPostgres, type OpenPg } from './database.js'
import { freshPgDatabase } from '../../../test/helpers/pg-databases.js'
import { SKIP_POSTGRES, SKIP_POSTGRES_NOTE } from '../../../test/helpers/postgres.js'

interface Column {
  name: string
  notNull: boolean
  family: 'integer' | 'text' | 'bytes'
  defaulted: boolean
}
interface Index {
  name: string
  unique: boolean
  /** Column names, or null for an expression index (lower(name)). */
  columns: string[] | null
  partial: boolean
}
interface ForeignKey {
  columns: string[]
  table: string
  to: string[]
  onDelete: string
}
interface Table {
  columns: Column[]
  primaryKey: string[]
  indexes: Index[]
  foreignKeys: ForeignKey[]
}
type Schema = Record<string, Table>

/** Type families: SQLite's INTEGER holds PostgreSQL's bigint and boolean, TEXT its text and jsonb. */
const PG_FAMILY: Record<string, Column['family']> = {
  bigint: 'integer',
  integer: 'integer',
  boolean: 'integer',
  text: 'text',
  jsonb: 'text',
  bytea: 'bytes',
}
const SQLITE_FAMILY: Record<string, Column['family']> = {
  integer: 'integer',
  text: 'text',
  blob: 'bytes',
}
const ON_DELETE: Record<string, string> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
}

const byName = <T extends { name: string }>(xs: T[]): T[] =>
  [...xs].sort((a, b) => a.name.localeCompare(b.name))

function sqliteSchema(open: OpenDb): Schema {
  const q = <T>(text: string, ...params: unknown[]) =>
    open.sqlite.prepare(text).all(...params) as T[]
  const tables = q<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__drizzle_migrations'",
  )
  const schema: Schema = {}
  for (const { name } of tables) {
    const info = q<{
      name: string
      type: string
      notnull: number
      dflt_value: unknown
      pk: number
    }>(`PRAGMA table_info("${name}")`)
    const indexList = q<{ name: string; unique: number; origin: string; partial: number }>(
      `PRAGMA index_list("${name}")`,
    ).filter((i) => i.origin !== 'pk')
    const fks = q<{ id: number; table: string; from: string; to: string; on_delete: string }>(
      `PRAGMA foreign_key_list("${name}")`,
    )
    schema[name] = {
      columns: byName(
        info.map((c) => ({
          name: c.name,
          // A primary key column is NOT NULL in PostgreSQL whatever it says; SQLite's INTEGER
          // PRIMARY KEY too (it is the rowid).
          notNull: c.notnull === 1 || c.pk > 0,
          family: SQLITE_FAMILY[c.type.toLowerCase()] ?? (c.type as Column['family']),
          defaulted: c.dflt_value !== null,
        })),
      ),
      primaryKey: info
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name),
      indexes: byName(
        indexList.map((i) => {
          const cols = q<{ name: string | null }>(`PRAGMA index_info("${i.name}")`)
          return {
            name: i.name,
            unique: i.unique === 1,
            columns: cols.some((c) => c.name === null) ? null : cols.map((c) => c.name as string),
            partial: i.partial === 1,
          }
        }),
      ),
      foreignKeys: groupForeignKeys(fks),
    }
  }
  return schema
}

function groupForeignKeys(
  rows: { id: number; table: string; from: string; to: string; on_delete: string }[],
): ForeignKey[] {
  const byId = new Map<number, ForeignKey>()
  for (const r of rows) {
    const fk = byId.get(r.id) ?? { columns: [], table: r.table, to: [], onDelete: r.on_delete }
    fk.columns.push(r.from)
    fk.to.push(r.to)
    byId.set(r.id, fk)
  }
  return [...byId.values()].sort((a, b) => a.columns.join().localeCompare(b.columns.join()))
}

async function pgSchema(open: OpenPg): Promise<Schema> {
  const q = async <T>(text: string, params: unknown[] = []) =>
    (await open.pool.query(text, params)).rows as T[]
  const tables = await q<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
  )
  const schema: Schema = {}
  for (const { name } of tables) {
    const cols = await q<{ name: string; type: string; nullable: string; dflt: string | null }>(
      `SELECT column_name AS name, data_type AS type, is_nullable AS nullable, column_default AS dflt
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
      [name],
    )
    const pk = await q<{ name: string }>(
      `SELECT a.attname AS name FROM pg_index i
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = $1::regclass AND i.indisprimary
        ORDER BY array_position(i.indkey, a.attnum)`,
      [name],
    )
    const idx = await q<{
      name: string
      unique: boolean
      partial: boolean
      exprs: boolean
      columns: string[]
    }>(
      `SELECT c.relname AS name, i.indisunique AS unique, i.indpred IS NOT NULL AS partial,
              i.indexprs IS NOT NULL AS exprs,
              array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, n)
                      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                     ORDER BY k.n)::text[] AS columns
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = $1::regclass AND NOT i.indisprimary`,
      [name],
    )
    const fks = await q<{ id: number; table: string; from: string; to: string; on_delete: string }>(
      `SELECT con.oid::int AS id, ft.relname AS table, a.attname AS from, fa.attname AS to,
              con.confdeltype AS on_delete
         FROM pg_constraint con
         JOIN pg_class ft ON ft.oid = con.confrelid
         JOIN unnest(con.conkey, con.confkey) WITH ORDINALITY k(attnum, fattnum, n) ON true
         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
         JOIN pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = k.fattnum
        WHERE con.contype = 'f' AND con.conrelid = $1::regclass
        ORDER BY con.oid, k.n`,
      [name],
    )
    schema[name] = {
      columns: byName(
        cols.map((c) => ({
          name: c.name,
          notNull: c.nullable === 'NO',
          family: PG_FAMILY[c.type] ?? (c.type as Column['family']),
          // A bigserial's nextval() is SQLite's AUTOINCREMENT, which has no default either.
          defaulted: c.dflt !== null && !c.dflt.startsWith('nextval('),
        })),
      ),
      primaryKey: pk.map((c) => c.name),
      indexes: byName(
        idx.map((i) => ({
          name: i.name,
          unique: i.unique,
          columns: i.exprs ? null : i.columns,
          partial: i.partial,
        })),
      ),
      foreignKeys: groupForeignKeys(
        fks.map((f) => ({ ...f, on_delete: ON_DELETE[f.on_delete] ?? f.on_delete })),
      ),
    }
  }
  return schema
}

describe.skipIf(SKIP_POSTGRES)(`schema parity of the two stores${SKIP_POSTGRES_NOTE}`, () => {
  let sqlite: OpenDb
  let postgres: OpenPg
  let left: Schema
  let right: Schema

  beforeAll(async () => {
    sqlite = openDatabase(':memory:')
    migrateDatabase(sqlite)
    postgres = openPostgres(await freshPgDatabase())
    left = sqliteSchema(sqlite)
    right = await pgSchema(postgres)
  })
  afterAll(async () => {
    sqlite?.close()
    await postgres?.close()
  })

  test('when both stores are migrated, then they have the same tables', () => {
    expect(Object.keys(right).sort()).toEqual(Object.keys(left).sort())
    expect(Object.keys(left).length).toBeGreaterThan(20)
  })

  test('when each table is compared, then columns, keys, indexes and foreign keys match', () => {
    for (const name of Object.keys(left).sort()) {
      expect({ table: name, ...right[name] }).toEqual({ table: name, ...left[name] })
    }
  })
})
