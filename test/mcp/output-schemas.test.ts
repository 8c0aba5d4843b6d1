import t from 'tap'
import { isDeepStrictEqual } from 'node:util'
import { OPEN_BY_NATURE, untypedParts } from '../helpers/untyped-schemas.ts'
import { allTools } from './flow.ts'
import { connect, serve } from './sdk-client.ts'

// MCP outputSchemas are the methods' own TypeBox result declarations, and describe what comes back to the
// leaf: no empty object, no Unknown, no Record of Unknown, but where the layering test says it is open by
// nature (issue 13 item 3).

const ADMIN_KEY = 'ops-admin-key'

t.test('every tool\'s outputSchema is its method\'s result declaration, typed to the leaf', async (t) => {
  const { app, url } = await serve(t, { auth: { apiKeys: [{ user: 'ops', key: ADMIN_KEY, scope: 'admin' }] } })
  // an admin key: the admin-scope tools are listed too
  const client = await connect(t, url, 'websocket', {}, ADMIN_KEY)
  const { tools } = await allTools(client)
  t.ok(tools.length > 40, `${tools.length} tools`)

  const offenders: string[] = []
  const missing: string[] = []
  const different: string[] = []
  for (const tool of tools) {
    const def = app.rpc.registry.get(tool.annotations?.title ?? '')
    if (def === undefined) { t.fail(`${tool.name} names no method (annotations.title ${tool.annotations?.title})`); continue }
    const declared = JSON.parse(JSON.stringify(def.result)) as Record<string, unknown>
    if (tool.outputSchema === undefined) {
      // structuredContent is an object: only object results have an outputSchema
      if (declared.type === 'object') missing.push(tool.name)
      continue
    }
    // deep equality, key order aside: the SDK client's schema parse puts the keys it knows first
    if (!isDeepStrictEqual(tool.outputSchema, declared)) different.push(tool.name)
    offenders.push(...untypedParts(tool.outputSchema, OPEN_BY_NATURE[def.name]).map((part) => `${tool.name} outputSchema ${part}`))
  }
  t.same(missing, [], 'every object result has an outputSchema')
  t.same(different, [], 'each outputSchema is the declaration as it is (no second copy)')
  t.same(offenders, [], 'untyped parts of outputSchemas')
})
