import t from 'tap'
import { fileURLToPath } from 'node:url'
import { findCycles, methodCalls, propertyReads, readSources, type SourceFileInfo } from './helpers/source-graph.ts'
import { OPEN_BY_NATURE, untypedParts } from './helpers/untyped-schemas.ts'

// The layering rules of DESIGN.md held against the real source tree (and a real app's rpc.discover), each
// offender printed by name: a rule broken later fails here, not in a review.

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const generated = (path: string) => path.startsWith('src/generated/')
const sources = readSources(ROOT, ['src', 'plugins'], generated)
const inStore = (path: string) => path.startsWith('src/store/')

const PRISMA = (specifier: string) => /(^|\/)generated\/prisma(\/|$)/.test(specifier) || specifier.startsWith('@prisma/') || specifier === 'better-sqlite3'
const SQL_CALLS: ReadonlySet<string> = new Set(['prepare', '$queryRaw', '$queryRawUnsafe', '$executeRaw', '$executeRawUnsafe'])

t.test('the tree is read: files and their imports are found', async (t) => {
  t.ok(sources.size > 100, `${sources.size} files under src/ and plugins/`)
  t.ok(sources.has('src/app.ts') && sources.has('plugins/rpc.ts'))
  t.notOk([...sources.keys()].some(generated), 'src/generated/ is left out')
  const app = sources.get('src/app.ts')!
  t.ok(app.imports.some((i) => i.target?.startsWith('plugins/') === true), 'relative imports resolve to project files')
})

t.test('only src/store/ touches Prisma, better-sqlite3 or SQL', async (t) => {
  const offenders: string[] = []
  for (const file of sources.values()) {
    if (inStore(file.path)) continue
    for (const i of file.imports) if (PRISMA(i.specifier)) offenders.push(`${file.path}:${i.line} imports ${i.specifier}`)
    for (const call of methodCalls(file, SQL_CALLS)) offenders.push(`${file.path}:${call.line} calls .${call.name}`)
  }
  t.same(offenders, [], 'outside src/store/ (the diff lists each offender)')
})

/** the entry points put the app together: the CLI's migrate command opens the database itself */
const ENTRY_POINTS: ReadonlySet<string> = new Set(['src/app.ts', 'src/server.ts'])

t.test('the store depends on the domain, never back: src/ outside src/store/ does not import it', async (t) => {
  const offenders = [...sources.values()]
    .filter((file) => file.path.startsWith('src/') && !inStore(file.path) && !ENTRY_POINTS.has(file.path))
    .flatMap((file) => file.imports.filter((i) => i.target !== undefined && inStore(i.target)).map((i) => `${file.path}:${i.line} imports ${i.target}`))
  t.same(offenders, [], 'domain files importing src/store/')
})

t.test('plugins get repositories from app.store: app.db is plugins/db.ts\'s alone', async (t) => {
  const offenders = [...sources.values()]
    .filter((file) => file.path.startsWith('plugins/') && file.path !== 'plugins/db.ts')
    .flatMap((file) => propertyReads(file, new Set(['app', 'fastify', 'instance']), 'db').map((line) => `${file.path}:${line} reads app.db`))
  t.same(offenders, [], 'app.db outside plugins/db.ts')
})

/** a file's import edges to other project files (type imports included) */
const edges = (file: SourceFileInfo) => new Set(file.imports.flatMap((i) => i.target !== undefined && sources.has(i.target) ? [i.target] : []))

t.test('no import cycle between files of src/ and plugins/', async (t) => {
  const graph = new Map([...sources.values()].map((file) => [file.path, edges(file)]))
  const cycles = findCycles(graph).map(({ members, loops }) => `among ${members.join(', ')}: ${loops.map((loop) => loop.join(' -> ')).join('; ')}`)
  t.same(cycles, [], 'file cycles')
})

/** src/<folder> for files in a folder of src/; a file directly in src/ (app.ts, version.ts) is its own node */
const folderOf = (path: string): string | undefined => /^src\/[^/]+\//.exec(path)?.[0].slice(0, -1) ?? (path.startsWith('src/') ? path : undefined)

t.test('no cycle between the folders of src/', async (t) => {
  const graph = new Map<string, Set<string>>()
  const because = new Map<string, string[]>()
  for (const file of sources.values()) {
    const from = folderOf(file.path)
    if (from === undefined) continue
    for (const target of edges(file)) {
      const to = folderOf(target)
      if (to === undefined || to === from) continue
      if (!graph.has(from)) graph.set(from, new Set())
      graph.get(from)!.add(to)
      const key = `${from} -> ${to}`
      because.set(key, [...(because.get(key) ?? []), `${file.path} imports ${target}`])
    }
  }
  const cycles = findCycles(graph).flatMap(({ loops }) => loops.map((loop) => {
    const steps = loop.slice(1).map((to, i) => `${loop[i]} -> ${to}`)
    return `${loop.join(' -> ')}\n    ${steps.map((step) => `${step}: ${because.get(step)!.slice(0, 3).join(', ')}`).join('\n    ')}`
  }))
  t.same(cycles, [], 'folder cycles, with the imports that make each step')
})

t.test('every method\'s result in rpc.discover is typed to the leaf', async (t) => {
  // imported here: the source checks above read files only and report even while the app does not build
  const { buildWithClient } = await import('./helper.ts')
  const { client } = await buildWithClient(t)
  const doc = await client.call('rpc.discover') as { methods: Array<{ name: string, result: { schema: unknown } }> }
  t.ok(doc.methods.length > 40, `${doc.methods.length} methods`)
  t.ok(doc.methods.some((m) => m.name === 'rpc.discover'), 'rpc.discover describes itself')
  const offenders = doc.methods.flatMap((m) => untypedParts(m.result.schema, OPEN_BY_NATURE[m.name]).map((part) => `${m.name} result ${part}`))
  t.same(offenders, [], 'untyped parts of results')
})

t.test('the result check finds what it must', async (t) => {
  t.same(untypedParts({ type: 'object', properties: { a: { type: 'string' }, n: { type: 'null' }, k: { const: 'x' } }, required: ['a'] }), [])
  t.same(untypedParts({ type: 'object', properties: {}, additionalProperties: false }), [], 'explicitly empty is fine')
  t.same(untypedParts({ type: 'object', patternProperties: { '^(.*)$': { type: 'number' } } }), [], 'a map of numbers is typed')
  t.same(untypedParts({ type: 'object', properties: { x: {} } }), ['/x: untyped (Unknown or Any)'])
  t.same(untypedParts({ type: 'object', properties: { m: { type: 'object', patternProperties: { '^(.*)$': {} } } } }), ['/m/{key}: untyped (Unknown or Any)'], 'Record(String, Unknown)')
  t.same(untypedParts({ type: 'array', items: { type: 'object', properties: {} } }), ['/*: object without properties (and not additionalProperties: false)'])
  t.same(untypedParts({ anyOf: [{ type: 'null' }, { type: 'object' }] }), ['/: object without properties (and not additionalProperties: false)'])
  t.same(untypedParts({ type: 'array' }), ['/: array without items'])
  t.same(untypedParts({ type: 'object', properties: { s: {} } }, new Set(['/s'])), [], 'open parts named are left alone')
})

t.test('the cycle finder finds what it must', async (t) => {
  const g = (pairs: Array<[string, string[]]>) => new Map(pairs.map(([k, v]) => [k, new Set(v)]))
  t.same(findCycles(g([['a', ['b']], ['b', ['c']], ['c', []]])), [])
  t.same(findCycles(g([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['d']]])), [
    { members: ['a', 'b', 'c'], loops: [['a', 'b', 'c', 'a']] },
    { members: ['d'], loops: [['d', 'd']] },
  ], 'a loop is reported once, whichever member it starts from')
  t.same(findCycles(g([['a', ['b', 'c']], ['b', ['a']], ['c', ['b']]])).map((c) => c.loops), [[['a', 'b', 'a'], ['c', 'b', 'a', 'c']]],
    'each member\'s shortest loop: every way round the component shows')
})
