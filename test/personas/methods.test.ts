import t from 'tap'
import { build, buildWithClient } from '../helper.ts'
import { RpcClient } from '../helpers/rpc-client.ts'
import type { RpcReply } from '../helpers/rpc-client.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits until at least `marginMs` remain before the next wall-clock minute: regeneration counts minute boundaries crossed. */
async function awayFromMinuteBoundary (marginMs: number): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000)
  if (left < marginMs) await sleep(left + 50)
}

/** The error of a reply that must have failed. */
function errorOf (reply: RpcReply): { code: number, message: string, data?: any } {
  if (!reply.error) throw new Error(`expected an error, got ${JSON.stringify(reply)}`)
  return reply.error
}

// the regeneration job only runs when a test asks (scheduler.run): once a year otherwise
const NO_CRON = { regenerationCron: '0 0 1 1 *' }

const byName = (list: Array<{ name: string }>, name: string): any => list.find((p) => p.name === name)

t.test('persona.list reports the built-ins with every field', async (t) => {
  const { client } = await buildWithClient(t)
  const list = await client.call('persona.list')
  t.same(Object.keys(list).sort(), ['available_count', 'personas', 'total_count'])
  t.equal(list.total_count, 2)
  t.equal(list.available_count, 2)
  const aria = byName(list.personas, 'Aria')
  const kira = byName(list.personas, 'Kira')
  t.same(Object.keys(aria).sort(), ['available', 'cooldown_remaining', 'current_priority', 'description', 'id', 'name', 'owner_id', 'social_energy'])
  t.match(aria, { available: true, social_energy: 150, current_priority: 'social', cooldown_remaining: 0, id: String, owner_id: null })
  t.match(aria.description, /elven bard/)
  t.match(kira, { available: true, social_energy: 80, current_priority: 'academic', cooldown_remaining: 0 })
  t.match(kira.description, /scholar/)
  t.not(aria.id, kira.id)
})

t.test('persona.get by id and by name in any case', async (t) => {
  const { client } = await buildWithClient(t)
  const { personas } = await client.call('persona.list')
  const kiraId = byName(personas, 'Kira').id
  const byId = await client.call('persona.get', { persona_id: kiraId })
  t.same(await client.call('persona.get', { persona_id: 'kIRA' }), byId, 'the name in any case finds the same persona')
  t.match(byId, {
    id: kiraId,
    name: 'Kira',
    backstory: /Collegium Archive/,
    speaking_style: /Precise/,
    personality_traits: { introverted: 70, analytical: 95, focused: 90, methodical: 85, reserved: 75 },
    topic_preferences: { research: 95, magic: 90, gossip: 20, small_talk: 25 },
    charisma: 12,
    intelligence: 18,
    social_rank: 'scholar',
    built_in: true,
    interaction_state: {
      interest_level: 50, interaction_fatigue: 0, current_priority: 'academic', available_time: 300,
      social_energy: 80, cooldown_until: 0, cooldown_remaining: 0, is_available: true,
    },
  })
  const { persona: nested, ...flat } = byId
  t.same(nested, flat, 'the same persona nested under `persona`, as earlier clients read it')
  t.equal(errorOf(await client.request('persona.get', { persona_id: 'nobody' })).code, -32000)
})

t.test('persona.switch', async (t) => {
  const { client } = await buildWithClient(t)
  const kira = await client.call('persona.get', { persona_id: 'Kira' })
  const expected = {
    persona_id: kira.id, name: 'Kira', description: kira.description, status: 'active',
    social_energy: 80, available_time: 300, current_priority: 'academic',
  }
  t.same(await client.call('persona.switch', { persona_id: kira.id }), expected, 'by id')
  t.same(await client.call('persona.switch', { persona_id: 'KIRA' }), expected, 'by upper-case name')
  t.same(await client.call('persona.switch', { persona_id: 'kira' }), expected, 'by lower-case name')
  t.equal((await client.call('persona.status')).persona.id, kira.id, 'the session holds the resolved id')

  const unknown = errorOf(await client.request('persona.switch', { persona_id: 'Nobody' }))
  t.equal(unknown.code, -32000)
  t.equal(unknown.data.reason, 'persona_not_found')

  const missing = errorOf(await client.request('persona.switch', {}))
  t.equal(missing.code, -32602)
  t.ok(missing.data.errors.some((e: { path: string }) => e.path === '/persona_id'), 'data.errors names /persona_id')

  // an exhausted persona is still there for its users (state colours the answers); persona.list tells who can join a persona-to-persona talk
  for (const [name, patch] of [['Aria', { social_energy: 5 }], ['Kira', { available_time: 10 }]] as const) {
    await client.call('persona.update', { persona_id: name, ...patch })
    t.equal((await client.call('persona.switch', { persona_id: name })).name, name, `${name} is exhausted but a user may switch to her`)
    t.equal((await client.call('persona.status')).condition.state, 'exhausted', 'and she says so')
  }
  const list = await client.call('persona.list')
  t.equal(list.available_count, 0)
  t.notOk(byName(list.personas, 'Aria').available)
})

t.test('persona.switch refuses an unavailable persona where personas.refuseWhenExhausted is on', async (t) => {
  const { client } = await buildWithClient(t, { personas: { refuseWhenExhausted: true } })
  for (const [name, patch] of [['Aria', { social_energy: 5 }], ['Kira', { available_time: 10 }]] as const) {
    await client.call('persona.update', { persona_id: name, ...patch })
    const refused = errorOf(await client.request('persona.switch', { persona_id: name }))
    t.equal(refused.code, -32002, `${name} is unavailable`)
    t.equal(refused.data.reason, 'persona_unavailable')
    t.type(refused.data.retry_after, 'number')
    t.ok(refused.data.retry_after > 0, 'retry_after > 0')
  }
})

t.test('persona.status', async (t) => {
  const { client } = await buildWithClient(t)
  const none = errorOf(await client.request('persona.status'))
  t.equal(none.code, -32001)
  t.equal(none.data.reason, 'no_active_persona')

  const aria = await client.call('persona.switch', { persona_id: 'aria' })
  const status = await client.call('persona.status')
  t.same(Object.keys(status).sort(), ['condition', 'interaction_state', 'memory_stats', 'persona'])
  t.same(status.condition, { state: 'fresh', flags: [], mood_note: null, reply_budget_factor: 1 }, 'a fresh persona')
  t.match(status.persona, {
    id: aria.persona_id, name: 'Aria', description: String, personality_traits: { extroverted: 90 },
    topic_preferences: { music: 95 }, charisma: 18, intelligence: 14, social_rank: 'performer',
  })
  t.notOk('interaction_state' in status.persona)
  t.match(status.interaction_state, {
    interest_level: 50, interaction_fatigue: 0, current_priority: 'social', available_time: 600,
    social_energy: 150, cooldown_until: 0, is_available: true,
  })
  t.equal(status.memory_stats.total_memories, 0)

  const kira = await client.call('persona.status', { persona_id: 'Kira' })
  t.equal(kira.persona.name, 'Kira', 'persona_id picks another persona')
  t.equal(kira.interaction_state.social_energy, 80)
  t.equal(errorOf(await client.request('persona.status', { persona_id: 'nobody' })).code, -32000)
})

t.test('persona.create', async (t) => {
  const { client } = await buildWithClient(t)
  const created = await client.call('persona.create', { name: 'Zed' })
  t.match(created, { persona_id: String, name: 'Zed', created: true })
  t.same(Object.keys(created).sort(), ['created', 'name', 'persona_id'])
  t.match(await client.call('persona.get', { persona_id: created.persona_id }), {
    description: '', backstory: '', speaking_style: '', personality_traits: {}, topic_preferences: {},
    charisma: 10, intelligence: 10, social_rank: 'commoner', built_in: false, owner_id: 'anonymous',
    interaction_state: { social_energy: 100, available_time: 300, current_priority: 'none', interest_level: 50, interaction_fatigue: 0, cooldown_until: 0 },
  }, 'defaults')

  const dup = errorOf(await client.request('persona.create', { name: 'zED' }))
  t.equal(dup.code, -32006, 'duplicate name in another case')
  t.equal(dup.data.reason, 'conflict')
  t.equal(errorOf(await client.request('persona.create', { name: 'aria' })).code, -32006, 'a built-in name too')

  const charisma = errorOf(await client.request('persona.create', { name: 'Strong', charisma: 21 }))
  t.equal(charisma.code, -32602)
  t.ok(charisma.data.errors.some((e: { path: string }) => e.path === '/charisma'), 'names /charisma')
  t.equal(errorOf(await client.request('persona.create', { name: '' })).code, -32602, 'empty name')

  const list = await client.call('persona.list')
  t.equal(list.total_count, 3)
  t.ok(byName(list.personas, 'Zed'), 'listed')
  t.match(await client.call('persona.switch', { persona_id: 'zed' }), { persona_id: created.persona_id, status: 'active' })
})

t.test('persona.update', async (t) => {
  const { client } = await buildWithClient(t)
  const { persona_id: id } = await client.call('persona.create', { name: 'Mira', description: 'old', charisma: 7, backstory: 'kept' })
  // persona.get also nests the persona under `persona` (earlier clients): compare the flat part
  const flat = ({ persona, ...rest }: any) => rest
  const before = flat(await client.call('persona.get', { persona_id: id }))
  const updated = await client.call('persona.update', { persona_id: id, description: 'new', social_energy: 120 })
  t.match(updated, { persona_id: id, updated: true })
  const after = flat(await client.call('persona.get', { persona_id: id }))
  t.same(
    { ...after, updated_at: before.updated_at, description: before.description, interaction_state: { ...after.interaction_state, social_energy: 100 } },
    before,
    'only the given fields changed',
  )
  t.equal(after.description, 'new')
  t.equal(after.interaction_state.social_energy, 120)

  t.equal(errorOf(await client.request('persona.update', { persona_id: id, name: 'KIRA' })).code, -32006, 'rename to an existing name')
  const forbidden = errorOf(await client.request('persona.update', { persona_id: 'Aria', name: 'Ariadne' }))
  t.equal(forbidden.code, -32005)
  t.equal(forbidden.data.reason, 'forbidden')
  t.match(await client.call('persona.update', { persona_id: 'Aria', description: 'changed' }), { persona: { name: 'Aria', description: 'changed' } },
    'other fields of a built-in can change')
  t.equal(errorOf(await client.request('persona.update', { persona_id: 'nobody', description: 'x' })).code, -32000)
  t.match(await client.call('persona.update', { persona_id: id, name: 'Mirabel' }), { persona: { name: 'Mirabel' } }, 'a created one can be renamed')
})

t.test('persona.delete', async (t) => {
  const { url, client } = await buildWithClient(t)
  const builtIn = errorOf(await client.request('persona.delete', { persona_id: 'Aria' }))
  t.equal(builtIn.code, -32005)
  t.ok(byName((await client.call('persona.list')).personas, 'Aria'), 'still listed')

  const { persona_id: id } = await client.call('persona.create', { name: 'Temp' })
  await client.call('persona.switch', { persona_id: id })
  const deleted = await client.call('persona.delete', { persona_id: id })
  t.match(deleted, { persona_id: id, name: 'Temp', deleted: true, message: String })
  t.same(Object.keys(deleted).sort(), ['deleted', 'message', 'name', 'persona_id'])
  t.equal(errorOf(await client.request('persona.status')).code, -32001, 'this socket\'s current persona is cleared')
  t.equal(errorOf(await client.request('persona.delete', { persona_id: id })).code, -32000, 'gone')

  const other = await RpcClient.connect(url)
  t.teardown(() => other.terminate())
  const { persona_id: otherId } = await client.call('persona.create', { name: 'Theirs' })
  await other.call('persona.switch', { persona_id: 'theirs' })
  await client.call('persona.delete', { persona_id: otherId })
  t.equal((await other.call('system.status')).current_persona, null, 'system.status does not report the deleted persona')
  const theirs = errorOf(await other.request('persona.status'))
  t.equal(theirs.code, -32001, 'the other socket gets no_active_persona, not an internal error')
  t.equal(theirs.data.reason, 'no_active_persona')
  t.equal((await other.call('session.get_info')).current_persona, null)
})

t.test('seeding is idempotent and state persists across restarts', async (t) => {
  const dataDir = t.testdir()
  let createdId = ''
  await t.test('first run', async (t) => {
    const app = await build(t, { server: { dataDir }, personas: NO_CRON })
    await app.personas.update('Aria', { state: { socialEnergy: 42 } })
    createdId = (await app.personas.create({ name: 'Survivor', charisma: 3 })).id
  })
  const app = await build(t, { server: { dataDir }, personas: NO_CRON })
  const rows = await app.db.prisma.persona.findMany()
  t.same(rows.map((r) => r.name).sort(), ['Aria', 'Kira', 'Survivor'], 'no duplicate built-ins')
  t.equal(app.personas.get('Aria').state.socialEnergy, 42)
  t.equal(rows.find((r) => r.name === 'Aria')?.socialEnergy, 42)
  t.equal(app.personas.get(createdId).charisma, 3, 'the created persona survived')
})

t.test('regeneration on the scheduler', async (t) => {
  const app = await build(t, { personas: NO_CRON })
  const id = app.personas.get('Aria').id
  await awayFromMinuteBoundary(5_000)
  // aligned to the minute: exactly 10 minute boundaries and 2 five-minute boundaries lie between it and now
  const aligned = Math.floor(Date.now() / 60_000) * 60_000 - 600_000
  await app.personas.setState(id, (s) => ({ ...s, socialEnergy: 50, interactionFatigue: 3, updatedAt: aligned }))
  await app.scheduler.run('persona-regeneration')
  const { state } = app.personas.get(id)
  t.equal(state.socialEnergy, 60)
  t.equal(state.interactionFatigue, 1)
  const row = await app.db.prisma.persona.findUnique({ where: { id } })
  t.equal(row?.socialEnergy, 60, 'saved')
  t.equal(row?.interactionFatigue, 1, 'saved')
  t.ok((row?.stateUpdatedAt.getTime() ?? 0) > aligned, 'the regeneration time is saved')
})

t.test('a state change is not undone by regeneration for time spent at full energy', async (t) => {
  const app = await build(t, { personas: NO_CRON })
  const { id } = await app.personas.create({ name: 'Rested', state: { socialEnergy: 200, availableTime: 86_400 } })
  // an hour at full energy and time, with no fatigue: the regeneration job has nothing to change
  await app.personas.setState(id, (s) => ({ ...s, updatedAt: Date.now() - 3_600_000 }))
  await app.scheduler.run('persona-regeneration')
  await app.personas.update(id, { state: { socialEnergy: 50 } })
  await app.scheduler.run('persona-regeneration')
  t.equal(app.personas.get(id).state.socialEnergy, 50, 'energy spent now is not refunded for the idle hour before')
})
