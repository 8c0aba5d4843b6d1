import t from 'tap'
import { build, type TestApp } from './helper.ts'

// The admin list's ?contains= is a literal substring: SQLite's LIKE (what Prisma's `contains` became) took
// `%` and `_` as wildcards, so `contains=%` listed every memory.

const KEY = 'contains-admin-key'
const AUTH = { auth: { apiKeys: [{ user: 'ops', key: KEY, scope: 'admin' }] } }

async function call (app: TestApp, method: 'GET' | 'POST', url: string, payload?: unknown) {
  const res = await app.inject({ method, url: `/admin/v1${url}`, payload: payload as Record<string, unknown> | undefined, headers: { authorization: `Bearer ${KEY}` } })
  return { status: res.statusCode, body: res.json() }
}

const CONTENTS = ['Discount of 50% on violins', 'snake_case is the house style', 'the path C:\\bard\\songs', 'plain text about Aria', 'Another PLAIN line']

t.test('contains= matches %, _ and \\ literally, with pagination and total', async (t) => {
  const app = await build(t, AUTH)
  for (const content of CONTENTS) t.equal((await call(app, 'POST', '/memories', { persona_id: 'Aria', content })).status, 201)
  const list = async (query: string) => {
    const res = await call(app, 'GET', `/memories?${query}`)
    t.equal(res.status, 200, query)
    return { total: res.body.total as number, contents: (res.body.items as Array<{ content: string }>).map((m) => m.content) }
  }
  const q = (text: string) => `contains=${encodeURIComponent(text)}`
  t.same(await list(q('%')), { total: 1, contents: [CONTENTS[0]] }, 'only the literal %')
  t.same(await list(q('_')), { total: 1, contents: [CONTENTS[1]] }, 'only the literal underscore')
  t.same(await list(q('\\')), { total: 1, contents: [CONTENTS[2]] }, 'only the literal backslash')
  t.same(await list(q('\\bard\\')), { total: 1, contents: [CONTENTS[2]] })
  t.same(await list(q('50%')), { total: 1, contents: [CONTENTS[0]] })
  t.same(await list(q('e_c')), { total: 1, contents: [CONTENTS[1]] })
  for (const none of ['%%', 'a%t', 'p_a', '_%_', 'h\\s', '\\%', '\\_']) t.same(await list(q(none)), { total: 0, contents: [] }, `${none} matches nothing`)
  // as before: ASCII letters in any case
  const plain = await list(q('plain'))
  t.same({ ...plain, contents: plain.contents.sort() }, { total: 2, contents: [CONTENTS[4], CONTENTS[3]] }, 'case-insensitive')
  const pages = [await list(`${q('plain')}&limit=1&offset=0`), await list(`${q('plain')}&limit=1&offset=1`)]
  t.same(pages.map((p) => p.total), [2, 2], 'each page has the total of all')
  t.same(pages.flatMap((p) => p.contents), plain.contents, 'one row a page, in the same order')
  t.same(await list(`${q('a')}&persona_id=kira`), { total: 0, contents: [] }, 'with the other filters')
  t.equal((await list('')).total, CONTENTS.length)
})
