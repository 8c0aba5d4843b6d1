// Compares the models of schema.prisma with the tables of a migrated PostgreSQL database (the catalog's
// view of them), so the PostgreSQL migrations and the one data model cannot drift apart unnoticed.
import type pg from 'pg'
import { parseSchema, type ModelDef } from '../prisma-schema.ts'

// Column types Prisma Migrate writes for PostgreSQL, as information_schema names them.
const COLUMN_TYPES: Record<string, string> = {
  String: 'text', Int: 'integer', BigInt: 'bigint', Float: 'double precision', Decimal: 'numeric', Boolean: 'boolean',
  DateTime: 'timestamp without time zone', Json: 'jsonb', Bytes: 'bytea',
}

const quoted = (list: string): string[] => list.split(',').map((c) => c.trim().replace(/^"|"$/g, ''))

/** Differences between the models of `schemaText` and the tables of the database; empty when they agree. */
export async function checkPostgresSchema (pool: pg.Pool, schemaText: string): Promise<string[]> {
  const diffs: string[] = []
  const models = parseSchema(schemaText)
  const { rows: tables } = await pool.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND left(table_name, 1) <> '_'")
  for (const t of tables) if (!models.some((m) => m.table === t.name)) diffs.push(`table ${t.name} has no model in the schema`)
  for (const m of models) {
    if (!tables.some((t) => t.name === m.table)) { diffs.push(`model ${m.name}: table ${m.table} is missing`); continue }
    diffs.push(...await checkColumns(pool, m), ...await checkIndexes(pool, m), ...await checkForeignKeys(pool, m))
  }
  return diffs
}

async function checkColumns (pool: pg.Pool, m: ModelDef): Promise<string[]> {
  const diffs: string[] = []
  const { rows: cols } = await pool.query<{ name: string, type: string, nullable: string }>(
    'SELECT column_name AS name, data_type AS type, is_nullable AS nullable FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1', [m.table])
  for (const f of m.scalars) {
    const c = cols.find((x) => x.name === f.column)
    if (c === undefined) { diffs.push(`${m.name}.${f.name}: column ${f.column} is missing`); continue }
    if (c.type !== COLUMN_TYPES[f.type]) diffs.push(`${m.name}.${f.name}: column type ${c.type}, expected ${COLUMN_TYPES[f.type] ?? `a known type for ${f.type}`}`)
    if ((c.nullable === 'NO') !== !f.optional) diffs.push(`${m.name}.${f.name}: column is ${c.nullable === 'NO' ? 'NOT NULL' : 'nullable'}, schema says ${f.optional ? 'optional' : 'required'}`)
  }
  for (const c of cols) if (!m.scalars.some((f) => f.column === c.name)) diffs.push(`${m.name}: column ${c.name} is not in the schema`)
  return diffs
}

async function checkIndexes (pool: pg.Pool, m: ModelDef): Promise<string[]> {
  const diffs: string[] = []
  const { rows } = await pool.query<{ name: string, def: string }>(
    'SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1', [m.table])
  const actual = rows.map((r) => ({ name: r.name, unique: /^CREATE UNIQUE/.test(r.def), columns: quoted(/\(([^)]*)\)\s*$/.exec(r.def)?.[1] ?? '') }))
  const pkey = actual.find((i) => i.name === `${m.table}_pkey`)
  if (pkey?.columns.join() !== m.primaryKey.join()) diffs.push(`${m.name}: primary key (${pkey?.columns.join(', ') ?? ''}), expected (${m.primaryKey.join(', ')})`)
  for (const want of m.indexes) {
    const got = actual.find((i) => i.name === want.name)
    if (got === undefined) diffs.push(`${m.name}: ${want.unique ? 'unique ' : ''}index ${want.name} (${want.columns.join(', ')}) is missing`)
    else if (got.columns.join() !== want.columns.join() || got.unique !== want.unique) {
      diffs.push(`${m.name}: index ${want.name} is ${got.unique ? 'unique ' : ''}(${got.columns.join(', ')}), expected ${want.unique ? 'unique ' : ''}(${want.columns.join(', ')})`)
    }
  }
  for (const i of actual) if (i !== pkey && !m.indexes.some((w) => w.name === i.name)) diffs.push(`${m.name}: index ${i.name} is not in the schema`)
  return diffs
}

async function checkForeignKeys (pool: pg.Pool, m: ModelDef): Promise<string[]> {
  const { rows } = await pool.query<{ def: string }>(
    "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = format('%I', $1::text)::regclass AND contype = 'f'", [m.table])
  const actual = rows.map((r) => {
    const [, from = '', table = '', to = ''] = /FOREIGN KEY \(([^)]*)\) REFERENCES "?([^"(]+)"?\(([^)]*)\)/.exec(r.def) ?? []
    const onDelete = /ON DELETE (CASCADE|SET NULL|RESTRICT|SET DEFAULT)/.exec(r.def)?.[1] ?? 'NO ACTION'
    return `(${quoted(from).join(', ')}) -> ${table}(${quoted(to).join(', ')}) ON DELETE ${onDelete}`
  })
  const wanted = m.foreignKeys.map((f) => `(${f.columns.join(', ')}) -> ${f.table}(${f.references.join(', ')}) ON DELETE ${f.onDelete}`)
  return [
    ...wanted.filter((w) => !actual.includes(w)).map((w) => `${m.name}: foreign key ${w} is missing`),
    ...actual.filter((a) => !wanted.includes(a)).map((a) => `${m.name}: foreign key ${a} is not in the schema`),
  ]
}
