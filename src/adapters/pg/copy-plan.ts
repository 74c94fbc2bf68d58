/**
 * What `migrate-store` copies (issue 15): every table of the PostgreSQL schema with its SQLite
 * twin, parents before children, and how each column's SQLite value becomes its PostgreSQL one.
 * Read from the two drizzle schemas, so a table added to both needs nothing here; a column whose
 * types do not correspond is a bug and throws.
 */
import { is } from 'drizzle-orm'
import { getTableConfig as pgTableConfig, PgTable } from 'drizzle-orm/pg-core'
import { getTableConfig as sqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core'
import * as sqliteSchema from '../db/schema.js'
import * as pgSchema from './schema.js'

type Convert = (value: unknown, where: string) => unknown

export interface ColumnPlan {
  name: string
  /** PostgreSQL type each parameter is cast to. */
  cast: string
  convert: Convert
}

export interface TablePlan {
  name: string
  columns: ColumnPlan[]
  /** bigserial columns: their sequence is moved past the copied ids. */
  serials: string[]
}

const bad = (where: string, what: string, value: unknown) =>
  new Error(`${where}: expected ${what}, found ${typeof value} in the SQLite row`)

const asText: Convert = (v, where) => {
  if (typeof v !== 'string') throw bad(where, 'text', v)
  return v
}
const asInteger: Convert = (v, where) => {
  const n = typeof v === 'bigint' ? Number(v) : v
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw bad(where, 'an integer', v)
  return n
}
const asBoolean: Convert = (v, where) => {
  if (v === 0 || v === 1) return v === 1
  throw bad(where, '0 or 1', v)
}
/**
 * Checked here, sent as its text and cast to jsonb by PostgreSQL: node-postgres would turn a
 * parsed array into a PostgreSQL array literal, not JSON.
 */
const asJson: Convert = (v, where) => {
  if (typeof v !== 'string') throw bad(where, 'JSON text', v)
  try {
    JSON.parse(v)
  } catch {
    throw new Error(`${where}: not valid JSON in the SQLite row`)
  }
  return v
}
const asBytes: Convert = (v, where) => {
  if (Buffer.isBuffer(v)) return v
  // SQLite keeps whatever type was written; a blob column written as text holds those bytes.
  if (typeof v === 'string') return Buffer.from(v, 'utf8')
  throw bad(where, 'bytes', v)
}

/** PostgreSQL column type → the drizzle SQLite column types it may be filled from, and how. */
const CONVERSIONS: Record<string, { from: string[]; cast: string; convert: Convert }> = {
  text: { from: ['SQLiteText'], cast: 'text', convert: asText },
  bigint: { from: ['SQLiteInteger', 'SQLiteTimestamp'], cast: 'bigint', convert: asInteger },
  bigserial: { from: ['SQLiteInteger'], cast: 'bigint', convert: asInteger },
  boolean: { from: ['SQLiteBoolean'], cast: 'boolean', convert: asBoolean },
  jsonb: { from: ['SQLiteTextJson'], cast: 'jsonb', convert: asJson },
  bytea: { from: ['SQLiteBlobBuffer'], cast: 'bytea', convert: asBytes },
}

/** A quoted identifier (ours are plain lower-case names; quoted all the same). */
export const quote = (name: string) => `"${name.replace(/"/g, '""')}"`

/** Every table of the PostgreSQL schema with its SQLite twin, parents before children. */
export function copyPlan(): TablePlan[] {
  const sqliteTables = new Map(
    Object.values(sqliteSchema)
      .filter((t): t is typeof t & SQLiteTable => is(t, SQLiteTable))
      .map((t) => sqliteTableConfig(t))
      .map((c) => [c.name, c]),
  )
  const pgTables = Object.values(pgSchema)
    .filter((t): t is typeof t & PgTable => is(t, PgTable))
    .map((t) => pgTableConfig(t))
  if (pgTables.length !== sqliteTables.size) {
    throw new Error(`schemas differ: ${pgTables.length} PostgreSQL, ${sqliteTables.size} SQLite`)
  }
  const plans = new Map<string, TablePlan & { parents: string[] }>()
  for (const table of pgTables) {
    const twin = sqliteTables.get(table.name)
    if (twin === undefined) throw new Error(`${table.name}: no such table in the SQLite schema`)
    const sqliteColumns = new Map(twin.columns.map((c) => [c.name, c.columnType]))
    if (sqliteColumns.size !== table.columns.length) {
      throw new Error(`${table.name}: the schemas' column lists differ`)
    }
    const columns = table.columns.map((column): ColumnPlan => {
      const where = `${table.name}.${column.name}`
      const type = column.getSQLType()
      const from = sqliteColumns.get(column.name)
      const conversion = CONVERSIONS[type]
      if (from === undefined) throw new Error(`${where}: no such column in the SQLite schema`)
      if (conversion === undefined || !conversion.from.includes(from)) {
        throw new Error(`${where}: PostgreSQL ${type} cannot be filled from SQLite ${from}`)
      }
      return { name: column.name, cast: conversion.cast, convert: conversion.convert }
    })
    plans.set(table.name, {
      name: table.name,
      columns,
      serials: table.columns.filter((c) => c.getSQLType() === 'bigserial').map((c) => c.name),
      parents: table.foreignKeys
        .map((fk) => pgTableConfig(fk.reference().foreignTable).name)
        .filter((parent) => parent !== table.name),
    })
  }
  return foreignKeyOrder(plans)
}

function foreignKeyOrder(plans: Map<string, TablePlan & { parents: string[] }>): TablePlan[] {
  const ordered: TablePlan[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (name: string) => {
    if (state.get(name) === 'done') return
    if (state.get(name) === 'visiting') throw new Error(`foreign keys form a cycle at ${name}`)
    state.set(name, 'visiting')
    const { parents, ...plan } = plans.get(name)!
    for (const parent of parents) visit(parent)
    state.set(name, 'done')
    ordered.push(plan)
  }
  // Sorted first, so the order (and the printed list) is the same on every run.
  for (const name of [...plans.keys()].sort()) visit(name)
  return ordered
}
