// The models of schema.prisma, parsed: what the hand-written migrations of every provider must agree with
// (a small parser of our own: the Prisma CLI's schema tools need engines this machine cannot download).

export interface FieldDef { name: string, column: string, type: string, optional: boolean, attrs: string }
export interface IndexDef { columns: string[], unique: boolean, name: string }
export interface ForeignKeyDef { columns: string[], table: string, references: string[], onDelete: string }
export interface ModelDef { name: string, table: string, scalars: FieldDef[], primaryKey: string[], indexes: IndexDef[], foreignKeys: ForeignKeyDef[] }

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
