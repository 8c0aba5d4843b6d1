// Compares the models of schema.prisma with the tables of a migrated SQLite database, so that the hand-written
// migrations and the schema the client is generated from cannot drift apart unnoticed. A small parser of our own:
// the Prisma CLI's schema tools need engines this machine cannot download.
import type BetterSqlite3 from 'better-sqlite3'

export interface FieldDef { name: string, column: string, type: string, optional: boolean, attrs: string }
export interface IndexDef { columns: string[], unique: boolean, name: string }
export interface ForeignKeyDef { columns: string[], table: string, references: string[], onDelete: string }
export interface ModelDef { name: string, table: string, scalars: FieldDef[], primaryKey: string[], indexes: IndexDef[], foreignKeys: ForeignKeyDef[] }

// Column types Prisma Migrate writes for SQLite, and those its introspection maps back to the same Prisma type.
const COLUMN_TYPES: Record<string, string[]> = {
  String: ['TEXT'], Int: ['INTEGER', 'INT'], BigInt: ['BIGINT', 'INTEGER'], Float: ['REAL', 'DOUBLE', 'FLOAT'],
  Decimal: ['DECIMAL'], Boolean: ['BOOLEAN'], DateTime: ['DATETIME'], Json: ['JSONB'], Bytes: ['BLOB']
}
const ACTIONS: Record<string, string> = { Cascade: 'CASCADE', SetNull: 'SET NULL', Restrict: 'RESTRICT', NoAction: 'NO ACTION', SetDefault: 'SET DEFAULT' }

const stripComment = (line: string): string => line.replace(/("(?:[^"\\]|\\.)*")|\/\/.*$/g, (_match, str: string | undefined) => str ?? '')
const listArg = (text: string): string[] => (/\[([^\]]*)\]/.exec(text)?.[1] ?? '').split(',').map((s) => s.trim().replace(/\(.*$/, '')).filter(Boolean)
const namedArg = (text: string, key: string): string | undefined => new RegExp(`${key}\\s*:\\s*(?:"([^"]*)"|(\\w+))`).exec(text)?.slice(1).find((v) => v !== undefined)
const mapped = (attrs: string, at: string): string | undefined => new RegExp(`${at}\\(\\s*(?:name\\s*:\\s*)?"([^"]+)"`).exec(attrs)?.[1]

interface Block { kind: string, name: string, lines: string[] }

/** model/enum/type/view blocks, one trimmed line per member; `}` only closes a block at the start of a line. */
function blocksOf (text: string): Block[] {
  const blocks: Block[] = []
  let current: Block | undefined
  for (const raw of text.split('\n')) {
    const line = stripComment(raw).trim()
    const open = /^(model|enum|type|view)\s+(\w+)\s*\{$/.exec(line)
    if (open !== null) blocks.push(current = { kind: open[1] ?? '', name: open[2] ?? '', lines: [] })
    else if (line.startsWith('}')) current = undefined
    else if (current !== undefined && line !== '') current.lines.push(line)
  }
  return blocks
}

export function parseSchema (text: string): ModelDef[] {
  const blocks = blocksOf(text)
  const tableOf = (b: Block): string => b.lines.map((l) => mapped(l, '@@map')).find(Boolean) ?? b.name
  const objects = new Map(blocks.filter((b) => b.kind !== 'enum').map((b) => [b.name, b]))
  const enums = new Set(blocks.filter((b) => b.kind === 'enum').map((b) => b.name))
  return blocks.filter((b) => b.kind === 'model').map((b) => {
    const table = tableOf(b)
    const block = b.lines.filter((l) => l.startsWith('@@'))
    const fields = b.lines.filter((l) => !l.startsWith('@@')).map((l) => {
      const [, name = '', type = '', mod = '', attrs = ''] = /^(\w+)\s+(\w+)(\?|\[\])?\s*(.*)$/.exec(l) ?? []
      return { name, column: mapped(attrs, '@map') ?? name, type: enums.has(type) ? 'String' : type, optional: mod === '?', attrs }
    })
    const col = (f: string): string => fields.find((x) => x.name === f)?.column ?? f
    const scalars = fields.filter((f) => !objects.has(f.type))
    const indexes: IndexDef[] = []
    const add = (cols: string[], unique: boolean, attr: string): void => {
      const dbCols = cols.map(col)
      indexes.push({ columns: dbCols, unique, name: namedArg(attr, 'map') ?? `${table}_${dbCols.join('_')}_${unique ? 'key' : 'idx'}` })
    }
    for (const f of scalars) if (/@unique\b/.test(f.attrs)) add([f.name], true, /@unique(\([^)]*\))?/.exec(f.attrs)?.[0] ?? '')
    for (const l of block) {
      if (l.startsWith('@@unique')) add(listArg(l), true, l)
      else if (l.startsWith('@@index')) add(listArg(l), false, l)
    }
    const idBlock = block.find((l) => l.startsWith('@@id'))
    const primaryKey = idBlock !== undefined ? listArg(idBlock).map(col) : scalars.filter((f) => /@id\b/.test(f.attrs)).map((f) => f.column)
    const foreignKeys = fields.filter((f) => objects.has(f.type) && /@relation\(.*fields\s*:/.test(f.attrs)).map((f) => {
      const rel = /@relation\((.*)\)/.exec(f.attrs)?.[1] ?? ''
      const target = objects.get(f.type)
      return {
        columns: listArg(rel.slice(rel.indexOf('fields'))).map(col),
        table: target === undefined ? f.type : tableOf(target),
        references: listArg(rel.slice(rel.indexOf('references'))).map((r) => target?.lines.map((l) => new RegExp(`^${r}\\s.*@map\\("([^"]+)"`).exec(l)?.[1]).find(Boolean) ?? r),
        // Prisma's defaults when onDelete is omitted: Restrict for a required relation, SetNull for an optional one
        onDelete: ACTIONS[namedArg(rel, 'onDelete') ?? ''] ?? (f.optional ? 'SET NULL' : 'RESTRICT')
      }
    })
    return { name: b.name, table, scalars, primaryKey, indexes, foreignKeys }
  })
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
