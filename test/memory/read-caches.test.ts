import t from 'tap'
import { buildWithClient } from '../helper.ts'

// memory.stats and the memory rows a search reads are cached until the database changes: every change shows
// at once, whoever makes it (the memory service, another store file on the same connection, Prisma's own connection).

t.test('memory.stats follows every change to the memories, on any connection', async (t) => {
  const { app, client } = await buildWithClient(t)
  await client.call('persona.switch', { persona_id: 'aria' })
  t.same(await client.call('memory.stats'), { total_memories: 0 })
  const a = await client.call('memory.store', { content: 'Orin keeps bees in Dunmore', importance: 0.9, memory_type: 'fact' })
  await client.call('memory.store', { content: 'the tavern smelled of rain', importance: 0.3 })
  const first = await client.call('memory.stats')
  t.match(first, { total_memories: 2, avg_importance: 0.6, high_importance_count: 1, created_today: 2, memory_types: { fact: 1, user_input: 1 } })
  const { stats_calculation_time_ms: _t1, ...figures } = first
  const { stats_calculation_time_ms: _t2, ...again } = await client.call('memory.stats')
  t.same(again, figures, 'a repeat has the same figures')

  // the raw connection the memory store itself uses
  app.db.sqlite.prepare('UPDATE Memory SET importance = 0.1 WHERE id = ?').run(a.memory_id)
  t.match(await client.call('memory.stats'), { total_memories: 2, avg_importance: 0.2, high_importance_count: 0 }, 'a raw write shows')

  // Prisma's connection (another store file deleting, say)
  await app.db.prisma.memory.delete({ where: { id: a.memory_id } })
  t.match(await client.call('memory.stats'), { total_memories: 1, memory_types: { user_input: 1 } }, 'a write on the other connection shows')

  // persona.status carries the same figures
  t.match((await client.call('persona.status')).memory_stats, { total_memories: 1 })
  const other = await client.call('memory.stats', { persona_id: 'kira' })
  t.same(other, { total_memories: 0 }, 'per persona')
})

t.test('a search sees a memory as it is now, whoever changed it', async (t) => {
  const { app, client } = await buildWithClient(t)
  await client.call('persona.switch', { persona_id: 'aria' })
  const { memory_id } = await client.call('memory.store', { content: 'Orin keeps bees in Dunmore', importance: 0.4 })
  const search = async () => (await client.call('memory.search', { query: 'bees in Dunmore', n_results: 1 })).memories[0]
  t.equal((await search()).importance, 0.4)
  t.equal((await search()).importance, 0.4, 'twice: the second read from the cache')

  app.db.sqlite.prepare('UPDATE Memory SET importance = 0.7 WHERE id = ?').run(memory_id)
  t.equal((await search()).importance, 0.7, 'a raw write on the same connection')
  await app.db.prisma.memory.update({ where: { id: memory_id }, data: { importance: 0.2, memoryType: 'fact' } })
  t.match(await search(), { importance: 0.2, memory_type: 'fact' }, 'a write on Prisma\'s connection')
  await app.db.prisma.memory.update({ where: { id: memory_id }, data: { prunedAt: new Date() } })
  t.equal(await search(), undefined, 'pruned elsewhere: gone from searches')
})
