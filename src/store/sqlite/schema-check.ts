// Compares the models of schema.prisma with the tables of a migrated SQLite database, so that the hand-written
// migrations and the schema the client is generated from cannot drift apart unnoticed.
import type BetterSqlite3 from 'better-sqlite3'
import { parseSchema, type ModelDef } from '../prisma-schema.ts'

export { parseSchema }

// Column types Prisma Migrate writes for SQLite, and those its introspection maps back to the same Prisma type.
const COLUMN_TYPES: Record<string, string[]> = {
  String: ['TEXT'], Int: ['INTEGER', 'INT'], BigInt: ['BIGINT', 'INTEGER'], Float: ['REAL', 'DOUBLE', 'FLOAT'],
  Decimal: ['DECIMAL'], Boolean: ['BOOLEAN'], DateTime: ['DATETIME'], Json: ['JSONB'], Bytes: ['BLOB']
}
/** Differences between the models of `schemaText` and the tables of `db`; empty when they agree. */
export function checkSchema (db: BetterSqlite3.Database, schemaText: string): string[] {
  const diffs: string[] = []
  const models = parseSchema(schemaText)
  // sqlite_* are SQLite's own; _prisma_migrations and implicit many-to-many tables (_AToB) are Prisma's
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_' AND substr(name, 1, 1) <> '_'").all() as Array<{ name: string }>).map((r) => r.name)
  for (const t of tables) if (!models.some((m) => m.table === t)) diffs.push(`table ${t} has no model in the schema`)
  for (const m of models) {
    if (!tables.includes(m.table)) { diffs.push(`model ${m.name}: table ${m.table} is missing`); continue }
    const cols = db.pragma(`table_info("${m.table}")`) as Array<{ name: string, type: string, notnull: number, pk: number }>
    for (const f of m.scalars) {
      const c = cols.find((x) => x.name === f.column)
      if (c === undefined) { diffs.push(`${m.name}.${f.name}: column ${f.column} is missing`); continue }
      const allowed = COLUMN_TYPES[f.type] ?? []
      if (!allowed.includes(c.type.toUpperCase())) diffs.push(`${m.name}.${f.name}: column type ${c.type}, expected ${allowed.join(' or ') || `a known type for ${f.type}`}`)
      // SQLite lets a (non-INTEGER) primary key column hold NULL unless NOT NULL is written, and Prisma writes it.
      if ((c.notnull === 1) !== !f.optional) diffs.push(`${m.name}.${f.name}: column is ${c.notnull === 1 ? 'NOT NULL' : 'nullable'}, schema says ${f.optional ? 'optional' : 'required'}`)
    }
    for (const c of cols) if (!m.scalars.some((f) => f.column === c.name)) diffs.push(`${m.name}: column ${c.name} is not in the schema`)
    const pk = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name)
    if (pk.join() !== m.primaryKey.join()) diffs.push(`${m.name}: primary key (${pk.join(', ')}), expected (${m.primaryKey.join(', ')})`)
    diffs.push(...checkIndexes(db, m), ...checkForeignKeys(db, m))
  }
  return diffs
}

function checkIndexes (db: BetterSqlite3.Database, m: ModelDef): string[] {
  const diffs: string[] = []
  const actual = (db.pragma(`index_list("${m.table}")`) as Array<{ name: string, unique: number, origin: string }>).filter((i) => i.origin === 'c')
  for (const want of m.indexes) {
    const got = actual.find((i) => i.name === want.name)
    const cols = got === undefined ? [] : (db.pragma(`index_info("${got.name}")`) as Array<{ seqno: number, name: string }>).sort((a, b) => a.seqno - b.seqno).map((c) => c.name)
    if (got === undefined) diffs.push(`${m.name}: ${want.unique ? 'unique ' : ''}index ${want.name} (${want.columns.join(', ')}) is missing`)
    else if (cols.join() !== want.columns.join() || (got.unique === 1) !== want.unique) {
      diffs.push(`${m.name}: index ${want.name} is ${got.unique === 1 ? 'unique ' : ''}(${cols.join(', ')}), expected ${want.unique ? 'unique ' : ''}(${want.columns.join(', ')})`)
    }
  }
  for (const i of actual) if (!m.indexes.some((w) => w.name === i.name)) diffs.push(`${m.name}: index ${i.name} is not in the schema`)
  return diffs
}

function checkForeignKeys (db: BetterSqlite3.Database, m: ModelDef): string[] {
  const rows = db.pragma(`foreign_key_list("${m.table}")`) as Array<{ id: number, seq: number, table: string, from: string, to: string, on_delete: string }>
  const groups = new Map<number, typeof rows>()
  for (const r of rows.sort((a, b) => a.seq - b.seq)) groups.set(r.id, [...(groups.get(r.id) ?? []), r])
  const actual = [...groups.values()].map((g) => `(${g.map((r) => r.from).join(', ')}) -> ${g[0]?.table}(${g.map((r) => r.to).join(', ')}) ON DELETE ${g[0]?.on_delete}`)
  const wanted = m.foreignKeys.map((f) => `(${f.columns.join(', ')}) -> ${f.table}(${f.references.join(', ')}) ON DELETE ${f.onDelete}`)
  return [
    ...wanted.filter((w) => !actual.includes(w)).map((w) => `${m.name}: foreign key ${w} is missing`),
    ...actual.filter((a) => !wanted.includes(a)).map((a) => `${m.name}: foreign key ${a} is not in the schema`)
  ]
}
