// The project's own TypeScript as the compiler reads it: files, their import specifiers (type imports,
// re-exports, import() and import('x').T included) and their calls, for the layering test.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import ts from 'typescript'

export interface ImportRef {
  readonly specifier: string
  /** the project file it names (posix, from the root), when it is one of ours */
  readonly target: string | undefined
  readonly line: number
}

export interface SourceFileInfo {
  /** posix path from the project root */
  readonly path: string
  readonly imports: readonly ImportRef[]
  readonly ast: ts.SourceFile
}

export const posix = (path: string): string => path.split(sep).join('/')

function listTs (dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name)
    if (statSync(full).isDirectory()) return listTs(full)
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [full] : []
  })
}

/** `./x.ts`, `./x.js` (NodeNext spelling), `./x` and `./x/index.ts` all name x.ts. */
function resolveRelative (root: string, from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined
  const base = resolve(dirname(from), specifier)
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')]
  const found = candidates.find((c) => c.endsWith('.ts') && existsSync(c) && statSync(c).isFile())
  return found === undefined ? undefined : posix(relative(root, found))
}

function specifiersOf (ast: ts.SourceFile): Array<{ specifier: string, pos: number }> {
  const out: Array<{ specifier: string, pos: number }> = []
  const visit = (node: ts.Node): void => {
    let spec: ts.Node | undefined
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) spec = node.moduleSpecifier
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) spec = node.moduleReference.expression
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) spec = node.arguments[0]
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) spec = node.argument.literal
    if (spec !== undefined && ts.isStringLiteralLike(spec)) out.push({ specifier: spec.text, pos: spec.getStart(ast) })
    ts.forEachChild(node, visit)
  }
  visit(ast)
  return out
}

/** Every .ts file under `dirs` (relative to root) except those `skip` names, parsed. */
export function readSources (root: string, dirs: readonly string[], skip: (path: string) => boolean): Map<string, SourceFileInfo> {
  const files = new Map<string, SourceFileInfo>()
  for (const full of dirs.flatMap((d) => listTs(join(root, d)))) {
    const path = posix(relative(root, full))
    if (skip(path)) continue
    const ast = ts.createSourceFile(path, readFileSync(full, 'utf8'), ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS)
    const imports = specifiersOf(ast).map(({ specifier, pos }) => ({
      specifier,
      target: resolveRelative(root, full, specifier),
      line: ast.getLineAndCharacterOfPosition(pos).line + 1,
    }))
    files.set(path, { path, imports, ast })
  }
  return files
}

/** Calls and tagged templates of a method by name (`x.prepare(...)`, prisma.$queryRaw`...`), with their lines. */
export function methodCalls (file: SourceFileInfo, names: ReadonlySet<string>): Array<{ name: string, line: number }> {
  const out: Array<{ name: string, line: number }> = []
  const visit = (node: ts.Node): void => {
    const callee = ts.isCallExpression(node) ? node.expression : ts.isTaggedTemplateExpression(node) ? node.tag : undefined
    if (callee !== undefined && ts.isPropertyAccessExpression(callee) && names.has(callee.name.text)) {
      out.push({ name: callee.name.text, line: file.ast.getLineAndCharacterOfPosition(callee.name.getStart(file.ast)).line + 1 })
    }
    ts.forEachChild(node, visit)
  }
  visit(file.ast)
  return out
}

/** Reads of `<owner>.<property>` and `const { <property> } = <owner>`, with their lines. */
export function propertyReads (file: SourceFileInfo, owners: ReadonlySet<string>, property: string): number[] {
  const lines: number[] = []
  const at = (node: ts.Node) => file.ast.getLineAndCharacterOfPosition(node.getStart(file.ast)).line + 1
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && node.name.text === property && ts.isIdentifier(node.expression) && owners.has(node.expression.text)) lines.push(at(node))
    if (ts.isVariableDeclaration(node) && ts.isObjectBindingPattern(node.name) && node.initializer !== undefined &&
      ts.isIdentifier(node.initializer) && owners.has(node.initializer.text) &&
      node.name.elements.some((e) => ((e.propertyName ?? e.name) as ts.Identifier).text === property)) lines.push(at(node))
    ts.forEachChild(node, visit)
  }
  visit(file.ast)
  return lines
}

/**
 * The cycles of a directed graph: one per strongly connected component of more than one node (or a node
 * that reaches itself), with its members and the shortest loop back to each member (the same loop once).
 */
export function findCycles (graph: ReadonlyMap<string, ReadonlySet<string>>): Array<{ members: string[], loops: string[][] }> {
  return components(graph).map((members) => {
    const within = new Set(members)
    const loops = new Map<string, string[]>()
    for (const start of members) {
      const loop = shortestLoop(graph, start, within)
      const key = [...loop.slice(1)].sort().join('\0')
      if (!loops.has(key)) loops.set(key, loop)
    }
    return { members, loops: [...loops.values()] }
  })
}

/** Tarjan's strongly connected components, each sorted, those that hold a cycle only. */
function components (graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  let next = 0
  const connect = (v: string): void => {
    index.set(v, next); low.set(v, next); next++
    stack.push(v); onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) { connect(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)) } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) !== index.get(v)) return
    const component: string[] = []
    let w: string | undefined
    do { w = stack.pop()!; onStack.delete(w); component.push(w) } while (w !== v)
    if (component.length > 1 || graph.get(v)?.has(v) === true) found.push(component.sort())
  }
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v)
  return found.sort((a, b) => (a[0]! < b[0]! ? -1 : 1))
}

function shortestLoop (graph: ReadonlyMap<string, ReadonlySet<string>>, start: string, within: ReadonlySet<string>): string[] {
  const previous = new Map<string, string>()
  const queue = [start]
  while (queue.length > 0) {
    const v = queue.shift()!
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!within.has(w)) continue
      if (w === start) {
        const path = [v]
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!)
        return [...path, start]
      }
      if (!previous.has(w)) { previous.set(w, v); queue.push(w) }
    }
  }
  return [start, start]
}
