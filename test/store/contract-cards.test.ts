import t from 'tap'
import { createSqliteCardRepository } from '../../src/store/sqlite/cards.ts'
import { createPostgresCardRepository } from '../../src/store/postgres/cards.ts'
import type { CardRepository } from '../../src/cards/repository.ts'
import type { CardExtras } from '../../src/cards/export.ts'
import { forBothStores } from '../helpers/both-stores.ts'

// The card repository's contract, the same assertions on SQLite and PostgreSQL: extras as JSON, the avatar
// as bytes, absence as undefined, and the lorebook's recent texts (last N, oldest first).

const extras: CardExtras = {
  scenario: 'a café', first_mes: 'Hi', alternate_greetings: ['Hey', 'Yo'], group_only_greetings: [], mes_example: '', system_prompt: '',
  post_history_instructions: '', tags: ['a', 'b'], creator: 'me', creator_notes: 'ünïcode ✓', character_version: '1.2',
  extensions: { vendor: { nested: [1, 2.5, null, true], empty: {} } }, creation_date: 1700000000,
}

forBothStores<CardRepository>(t, {
  sqlite: createSqliteCardRepository,
  postgres: createPostgresCardRepository,
}, (t, store) => {
  t.test('extras and avatar: undefined until saved, then as saved; a save without an avatar clears it', async (t) => {
    const { repo, addPersona } = await store.open(t)
    await addPersona('aria')
    t.equal(await repo.extras('aria'), undefined)
    t.equal(await repo.avatar('aria'), undefined)
    t.equal(await repo.extras('nobody'), undefined)
    t.equal(await repo.avatar('nobody'), undefined)
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255, 0])
    await repo.save('aria', extras, { mime: 'image/png', bytes })
    t.same(await repo.extras('aria'), extras)
    const avatar = await repo.avatar('aria')
    t.equal(avatar?.mime, 'image/png')
    t.ok(Buffer.isBuffer(avatar?.bytes))
    t.same([...avatar!.bytes], [...bytes])
    await repo.save('aria', { ...extras, tags: [] }, undefined)
    t.same(await repo.extras('aria'), { ...extras, tags: [] }, 'replaced')
    t.equal(await repo.avatar('aria'), undefined, 'cleared')
    await repo.save('nobody', extras, undefined)
    t.equal(await repo.extras('nobody'), undefined, 'a save for an unknown persona stores nothing')
  })

  t.test('recentTexts: the last n of one conversation, oldest first; ties by time', async (t) => {
    const { repo, prisma, addPersona } = await store.open(t)
    await addPersona('aria')
    for (const id of ['c1', 'c2']) await prisma.conversation.create({ data: { id, personaId: 'aria', userId: 'alice' } })
    const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s))
    const message = (conversationId: string, turnNumber: number, content: string, s: number) =>
      ({ conversationId, turnNumber, role: 'user', content, createdAt: at(s) })
    await prisma.message.createMany({
      data: [message('c1', 1, 'one', 1), message('c1', 2, 'two-user', 2), message('c1', 2, 'two-persona', 3), message('c1', 3, 'three', 4),
        message('c2', 9, 'other', 9)],
    })
    t.same(await repo.recentTexts('c1', 3), ['two-user', 'two-persona', 'three'])
    t.same(await repo.recentTexts('c1', 10), ['one', 'two-user', 'two-persona', 'three'])
    t.same(await repo.recentTexts('c1', 0), [])
    t.same(await repo.recentTexts('nothing', 5), [])
  })
})
