import t, { type Test } from 'tap'
import { build, listen } from '../helper.ts'
import { b64, pixelsOf, smallPng, v2Card, withTextChunks } from './helpers.ts'

// The admin upload as browsers and curl -F send it (multipart/form-data over a real port), and the avatar
// route as client keys read it.

const KEYS = [
  { user: 'ops', key: 'ops-admin-key', scope: 'admin' },
  { user: 'alice', key: 'alice-key-1', scope: 'client' },
]
const auth = (key: string) => ({ authorization: `Bearer ${key}` })

async function setup (t: Test) {
  const app = await build(t, { auth: { apiKeys: KEYS } })
  await listen(app)
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  const base = `http://127.0.0.1:${address.port}`
  return { app, base }
}

const cardPng = (name: string) => {
  const card = v2Card()
  card.data.name = name
  return withTextChunks(smallPng(6, 5), [['chara', b64(card)]])
}

const form = (...files: Array<[string, Buffer, string?]>) => {
  const body = new FormData()
  for (const [field, bytes, filename] of files) body.append(field, new Blob([new Uint8Array(bytes)], { type: 'image/png' }), filename ?? 'card.png')
  return body
}

t.test('multipart/form-data import: one file in the field "file", clear 4xx otherwise', async (t) => {
  const { base } = await setup(t)
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    fetch(`${base}/admin/v1/personas/import`, { method: 'POST', headers: { ...auth('ops-admin-key'), ...headers }, body })

  const ok = await post(form(['file', cardPng('Formina')]))
  t.equal(ok.status, 201)
  const view = await ok.json() as { persona_id: string, name: string, format: string, has_avatar: boolean }
  t.match(view, { name: 'Formina', format: 'png', has_avatar: true })

  const withField = form(['file', cardPng('Fieldia')])
  withField.append('note', 'text fields are ignored')
  t.equal((await post(withField)).status, 201, 'a text field beside the file is fine')

  const wrong = await post(form(['card', cardPng('Wrongo')]))
  t.equal(wrong.status, 400)
  t.match((await wrong.json() as { message: string }).message, /field "file", not "card"/)

  const textOnly = new FormData()
  textOnly.append('file', 'just a string, no file')
  const none = await post(textOnly)
  t.equal(none.status, 400)
  t.match((await none.json() as { message: string }).message, /no file/)

  const two = await post(form(['file', cardPng('Twin A'), 'a.png'], ['file', cardPng('Twin B'), 'b.png']))
  t.equal(two.status, 400)
  t.match((await two.json() as { message: string }).message, /one card file/)

  // past the card readers' bound (20 MiB): cut off while streaming
  const huge = await post(form(['file', Buffer.concat([cardPng('Hugo'), Buffer.alloc(21 * 1024 * 1024)])]))
  t.equal(huge.status, 413)

  const broken = await post(form(['file', Buffer.from('not a card')]))
  t.equal(broken.status, 400, 'a file that is no card is a 400 naming the problem')
  t.match((await broken.json() as { message: string }).message, /Invalid card/)

  // a form the parser cannot read: 400, never a 500
  const part = '--XX\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n'
  for (const [type, body] of [['multipart/form-data', 'no boundary'], ['multipart/form-data; boundary=XX', 'garbage'], ['multipart/form-data; boundary=XX', `${part}cut off`]]) {
    const res = await post(body!, { 'content-type': type! })
    t.equal(res.status, 400, `${type}: ${body}`)
    t.match((await res.json() as { message: string }).message, /malformed multipart/)
  }

  t.equal((await post('{"spec":"x"}', { 'content-type': 'text/plain' })).status, 415, 'text/plain is no card type')
  t.equal((await post('x', { 'content-type': 'application/xml' })).status, 415)

  // the multipart parser is this route's only: another admin route still refuses a form
  const elsewhere = await fetch(`${base}/admin/v1/personas`, { method: 'POST', headers: auth('ops-admin-key'), body: form(['file', cardPng('Else')]) })
  t.equal(elsewhere.status, 415)
  const names = (await (await fetch(`${base}/admin/v1/personas?limit=100`, { headers: auth('ops-admin-key') })).json() as { items: Array<{ name: string }> }).items.map((p) => p.name)
  t.ok(names.includes('Formina') && names.includes('Fieldia'), 'the imports landed')
  t.notOk(names.some((n) => /Wrongo|Twin|Hugo|Else/.test(n)), 'the refused ones did not')
})

t.test('avatars: any key reads one, with its type, an ETag and a 304 for it; admin routes stay admin', async (t) => {
  const { base } = await setup(t)
  const image = smallPng(6, 5)
  const imported = await fetch(`${base}/admin/v1/personas/import`, { method: 'POST', headers: auth('ops-admin-key'), body: form(['file', cardPng('Pixie')]) })
  const { persona_id } = await imported.json() as { persona_id: string }

  const avatar = await fetch(`${base}/admin/v1/personas/${persona_id}/avatar`, { headers: auth('alice-key-1') })
  t.equal(avatar.status, 200, 'a client key reads it')
  t.equal(avatar.headers.get('content-type'), 'image/png')
  t.equal(avatar.headers.get('x-content-type-options'), 'nosniff')
  t.match(avatar.headers.get('cache-control'), /private/)
  const etag = avatar.headers.get('etag')
  t.match(etag, /^"[\w-]+"$/)
  t.same(pixelsOf(Buffer.from(await avatar.arrayBuffer())), pixelsOf(image), 'the card\'s own picture')

  const again = await fetch(`${base}/admin/v1/personas/${persona_id}/avatar`, { headers: { ...auth('alice-key-1'), 'if-none-match': `W/"other", ${etag!}` } })
  t.equal(again.status, 304)
  t.equal((await again.arrayBuffer()).byteLength, 0)
  const byName = await fetch(`${base}/admin/v1/personas/pixie/avatar`, { headers: { ...auth('alice-key-1'), 'if-none-match': '"stale"' } })
  t.equal(byName.status, 200, 'by name, and a stale tag gets the image')
  t.equal(byName.headers.get('etag'), etag)

  const builtIn = await fetch(`${base}/admin/v1/personas/aria/avatar`, { headers: auth('alice-key-1') })
  t.equal(builtIn.status, 200, 'a built-in persona: its generated picture')
  t.equal(builtIn.headers.get('content-type'), 'image/png')
  t.not(builtIn.headers.get('etag'), etag)

  t.equal((await fetch(`${base}/admin/v1/personas/nobody-here/avatar`, { headers: auth('alice-key-1') })).status, 404)
  t.equal((await fetch(`${base}/admin/v1/personas/${persona_id}/avatar`)).status, 401, 'a key is still needed')
  t.equal((await fetch(`${base}/admin/v1/personas/${persona_id}/avatar`, { headers: auth('wrong-key') })).status, 401)
  t.equal((await fetch(`${base}/admin/v1/personas`, { headers: auth('alice-key-1') })).status, 403, 'the rest of the admin API is admin only')
  t.equal((await fetch(`${base}/admin/v1/personas/import`, { method: 'POST', headers: auth('alice-key-1'), body: form(['file', cardPng('Sneaky')]) })).status, 403)
})
