import t from 'tap'
import { startOllamaFixture } from './fixtures/ollama-server.ts'
import { build, listen } from './helper.ts'
import { RpcClient } from './helpers/rpc-client.ts'

const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } })

t.test('an erased user\'s key stops working at once, and the persona forgets how it felt about them', async (t) => {
  const fixture = await startOllamaFixture()
  t.teardown(() => fixture.close())
  const app = await build(t, { auth: { apiKeys: [{ user: 'ops', key: 'ops-admin-key', scope: 'admin' }] }, ollama: { host: fixture.url } })
  const url = await listen(app)
  const created = await app.auth.create({ userId: 'dora', scope: 'client' })
  const dora = await RpcClient.connect(url, bearer(created.secret))
  t.teardown(() => dora.terminate())
  await dora.call('persona.switch', { persona_id: 'aria' })
  await dora.call('persona.chat', { message: 'Thank you, that was a wonderful story!' })
  t.equal((await dora.call('relationship.with_me')).relationship.interaction_count, 1, 'the chat built a relationship')

  await dora.call('user.erase', { dry_run: false })
  await t.rejects(RpcClient.connect(url, bearer(created.secret)), /401/, 'the erased user\'s key is refused right away')
  const aria = app.personas.get('aria')
  t.equal(await app.relationships.find('user', aria.id, 'dora'), null, 'the cached relationship went with the rows')
})
