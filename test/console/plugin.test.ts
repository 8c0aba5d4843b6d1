import t from 'tap'
import { build } from '../helper.ts'
import { ensureConsoleBuilt } from './assets.ts'

// /console over HTTP: public files (the page signs in itself), the redirect that makes its relative
// URLs work, same-origin-only headers, and the API behind it still closed without a key.

ensureConsoleBuilt()

t.test('the console is served at /console/ without a key, the API still needs one', async (t) => {
  const app = await build(t, { auth: { apiKeys: [{ user: 'ops', key: 'ops-key-1', scope: 'admin' }] } })

  const bare = await app.inject({ url: '/console' })
  t.equal(bare.statusCode, 302, '/console redirects')
  t.equal(bare.headers.location, '/console/', 'to /console/, so app.js resolves under it')

  const page = await app.inject({ url: '/console/' })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /text\/html/)
  t.match(page.body, /<script type="module" src="app.js">/, 'the page loads the bundle')
  t.match(page.headers['content-security-policy'], /default-src 'self'/, 'same-origin only')
  t.match(page.headers['content-security-policy'], /frame-ancestors 'none'/, 'never framed')

  const bundle = await app.inject({ url: '/console/app.js' })
  t.equal(bundle.statusCode, 200)
  t.match(bundle.headers['content-type'], /javascript/)
  t.ok(bundle.body.length > 10_000 && bundle.body.length < 250_000, `a small bundle (${bundle.body.length} bytes)`)
  t.notMatch(bundle.body, /https?:\/\/(cdn|unpkg|esm\.sh)/, 'nothing from a CDN')

  t.equal((await app.inject({ url: '/console/nothing-here.js' })).statusCode, 404)
  t.equal((await app.inject({ url: '/admin/v1/personas' })).statusCode, 401, 'the admin API still wants a key')
  t.equal((await app.inject({ url: '/console/app.js', headers: { authorization: 'Bearer ops-key-1' } })).statusCode, 200, 'a key does no harm')
})
