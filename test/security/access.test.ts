import t from 'tap'
import { Agent } from 'node:http'
import { build, listen } from '../helper.ts'
import { RpcClient } from '../helpers/rpc-client.ts'
import { inBatches, rawRequest, routesOf } from './raw-request.ts'

// Access is decided from the route the router matched, and a path has one spelling: every admin route and
// /metrics, in every spelling, with an admin key, a client key and none, over real HTTP with the path sent verbatim.

const KEYS = [
  { user: 'ops', key: 'ops-admin-key', scope: 'admin' },
  { user: 'alice', key: 'alice-key-1', scope: 'client' },
]
const CALLERS = { admin: 'ops-admin-key', client: 'alice-key-1', none: undefined } as const
type Caller = keyof typeof CALLERS

const hex = (c: string) => `%${c.charCodeAt(0).toString(16)}`
const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

/**
 * Second spellings of a path: the request guard refuses the first kind (400); the router matches none of the
 * second (case variants of the first segment); the third may match another route (`/personas/:id` takes
 * `ARIA` or an empty id), which then has its own access.
 */
function spellings (path: string): { refused: string[], unmatched: string[], other: string[] } {
  const segments = path.split('/').slice(1)
  const [head = '', ...rest] = segments
  const last = segments[segments.length - 1] ?? ''
  const lastLetter = last.search(/[a-z]/)
  const withLast = (seg: string) => ['', ...segments.slice(0, -1), seg].join('/')
  const tail = rest.length > 0 ? `/${rest.join('/')}` : ''
  return {
    refused: [
      `/${hex(head.charAt(0))}${head.slice(1)}${tail}`, // /%61dmin/v1/...
      `/${hex(head.charAt(0)).toUpperCase()}${head.slice(1)}${tail}`, // /%6D... upper-case hex
      ...(lastLetter >= 0 ? [withLast(last.slice(0, lastLetter) + hex(last.charAt(lastLetter)) + last.slice(lastLetter + 1))] : []),
      `/${path}`, // //admin/...
      ...(tail === '' ? [] : [`/${head}/${tail}`]), // /admin//v1/...
      `/${head}/.${tail}`, // /admin/./v1/...
      `/x/..${path}`, // /x/../admin/...
      `/${head}/%2e${tail}`,
      `/${head}/%2E%2E/${head}${tail}`,
      `${path}/.`,
    ],
    unmatched: [path.toUpperCase(), `/${upperFirst(head)}${tail}`],
    other: [`${path}/`, withLast(last.toUpperCase())],
  }
}

/** The admin routes a client key may read too (`clientReadable`): every other one refuses it. */
const CLIENT_READABLE = new Set(['GET /admin/v1/personas/:id/avatar', 'HEAD /admin/v1/personas/:id/avatar'])

/** A concrete path for a route pattern: ids that exist for reads, missing ones for writes (nothing is destroyed). */
function concrete (pattern: string, method: string): string {
  const read = method === 'GET' || method === 'HEAD'
  return pattern.replace(':persona1', 'aria').replace(':persona2', 'kira').replace(':id', read ? 'aria' : 'zz-missing')
}

t.test('admin routes and /metrics: the scope comes from the matched route, and odd spellings reach nothing', async (t) => {
  const app = await build(t, { auth: { apiKeys: KEYS } })
  const port = Number(new URL(await listen(app)).port)
  const agent = new Agent({ keepAlive: true, maxSockets: 16 })
  t.teardown(() => agent.destroy())

  const guarded = routesOf(app.printRoutes({ commonPrefix: false }))
    .filter((r) => r.url.startsWith('/admin/') || r.url === '/metrics')
  t.ok(guarded.length >= 30, `enumerated ${guarded.length} admin routes from the app`)
  t.ok(guarded.some((r) => r.url === '/admin/v1/api-keys' && r.methods.includes('POST')), 'key minting is among them')

  type Case = { method: string, target: string, caller: Caller, kind: 'canonical' | 'refused' | 'unmatched' | 'other', readable: boolean }
  const cases: Case[] = []
  for (const route of guarded) {
    for (const method of route.methods) {
      const path = concrete(route.url, method)
      const { refused, unmatched, other } = spellings(path)
      const readable = CLIENT_READABLE.has(`${method} ${route.url}`)
      for (const caller of Object.keys(CALLERS) as Caller[]) {
        cases.push({ method, target: path, caller, kind: 'canonical', readable })
        for (const target of refused) cases.push({ method, target, caller, kind: 'refused', readable })
        for (const target of unmatched) cases.push({ method, target, caller, kind: 'unmatched', readable })
        for (const target of other) cases.push({ method, target, caller, kind: 'other', readable })
      }
    }
  }
  const results = await inBatches(cases.map((c) => async () => {
    const key = CALLERS[c.caller]
    const headers: Record<string, string> = key === undefined ? {} : { authorization: `Bearer ${key}` }
    const body = c.method === 'POST' || c.method === 'PATCH' ? '{}' : undefined
    return { ...c, res: await rawRequest(port, c.method, c.target, headers, body, agent) }
  }))

  const wrong: string[] = []
  for (const { method, target, caller, kind, readable, res } of results) {
    const status = res.status
    // a client key on a client-readable route is served as an admin key is, in its one spelling
    const served = caller === 'admin' || (caller === 'client' && readable)
    let ok: boolean
    if (!served && status < 300) ok = false // never, in any spelling
    else if (kind === 'refused') ok = status === 400 && (method === 'HEAD' || /NON_CANONICAL_PATH/.test(res.body))
    else if (kind === 'unmatched') ok = status === (caller === 'none' ? 401 : 404)
    else if (caller === 'none') ok = status === 401
    else if (caller === 'client' && !readable) ok = status === 403 || (kind === 'other' && status === 404)
    else ok = status !== 401 && status !== 403 && status < 500
    if (!ok) wrong.push(`${caller} ${method} ${target} -> ${status} ${res.body.slice(0, 120)}`)
  }
  t.same(wrong, [], `${results.length} requests: no key 401, client key 403, odd spellings 400 or no route`)
  const avatar = results.find((r) => r.caller === 'client' && r.kind === 'canonical' && r.method === 'GET' && r.readable)
  t.equal(avatar?.res.status, 200, 'a client key reads an avatar (the one client-readable admin route)')
  const adminReads = results.filter((r) => r.caller === 'admin' && r.kind === 'canonical' && r.method === 'GET')
  t.ok(adminReads.filter((r) => r.res.status === 200).length >= 15, 'the admin key reads the admin routes in their one spelling')
  const minted = results.find((r) => r.caller === 'client' && r.method === 'POST' && r.target === '/admin/v1/%61pi-keys')
  t.equal(minted?.res.status, 400, 'the probe of the issue (a client minting a key through an encoded path) is refused')
})

t.test('a path no route matches still needs a key; MCP and the WebSocket upgrade pass the same checks', async (t) => {
  const app = await build(t, { auth: { apiKeys: KEYS } })
  const url = await listen(app)
  const port = Number(new URL(url).port)
  const client = { authorization: 'Bearer alice-key-1' }
  t.equal((await rawRequest(port, 'GET', '/no-such-path')).status, 401, 'a stranger learns nothing from a 404')
  t.equal((await rawRequest(port, 'GET', '/no-such-path', client)).status, 404)
  t.equal((await rawRequest(port, 'GET', '/%68ealth')).status, 400, 'public routes have one spelling too')
  t.equal((await rawRequest(port, 'GET', '/health')).status, 200)
  t.equal((await rawRequest(port, 'GET', '/docs/json')).status, 200, 'the documentation stays open')

  const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } })
  const mcpHeaders = { accept: 'application/json, text/event-stream' }
  t.equal((await rawRequest(port, 'POST', '/%6Dcp', mcpHeaders, initialize)).status, 400, 'MCP over HTTP at an encoded path')
  t.equal((await rawRequest(port, 'POST', '/mcp', mcpHeaders, initialize)).status, 401, 'MCP over HTTP needs a key')
  t.equal((await rawRequest(port, 'POST', '/mcp', { ...mcpHeaders, ...client }, initialize)).status, 200)

  const base = url.replace(/\/mcp$/, '')
  await t.rejects(RpcClient.connect(`${base}/%6Dcp`, { headers: client }), /400/, 'the WebSocket upgrade at an encoded path')
  await t.rejects(RpcClient.connect(`${base}/MCP`, { headers: client }), /404/, 'and at a case variant')
  await t.rejects(RpcClient.connect(`${base}/mcp`), /401/, 'the upgrade needs a key')
  const ws = await RpcClient.connect(url, { headers: client })
  t.teardown(() => ws.terminate())
  t.equal((await ws.call('session.get_info')).user_id, 'alice')
})
