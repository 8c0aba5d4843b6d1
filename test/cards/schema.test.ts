import t, { type Test } from 'tap'
import { parseCard } from '../../src/cards/parse.ts'
import { toV2 } from '../../src/cards/convert.ts'
import { CardSchema, CardV2Schema } from '../../src/cards/schema.ts'
import { Value } from '@sinclair/typebox/value'
import { cardErrorOf, v2Card, v3Card } from './helpers.ts'

function fieldError (t: Test, json: unknown, field: string, message: RegExp): void {
  const err = cardErrorOf(() => parseCard(json))
  t.match(err, { reason: 'invalid_card', field, message }, `${field} named`)
}

t.test('a V2 card becomes the V3 shape with every field kept', async (t) => {
  const card = parseCard(v2Card())
  t.equal(card.spec, 'chara_card_v3')
  t.equal(card.spec_version, '3.0')
  t.ok(Value.Check(CardSchema, card), 'normalised card follows the strict V3 schema')
  const src = v2Card().data
  for (const k of ['name', 'description', 'personality', 'scenario', 'first_mes', 'mes_example', 'creator_notes', 'system_prompt', 'post_history_instructions', 'creator', 'character_version'] as const) {
    t.equal(card.data[k], src[k], k)
  }
  t.same(card.data.alternate_greetings, src.alternate_greetings)
  t.same(card.data.tags, src.tags)
  t.same(card.data.group_only_greetings, [])
  t.same(card.data.extensions, src.extensions, 'unknown extensions kept verbatim')
  t.equal(card.data.character_book?.entries[0]?.use_regex, false, 'V2 entries get use_regex false')
  t.same(card.data.character_book?.extensions, { vendor_book: { kept: true } })
  t.equal(card.data.character_book?.entries[1]?.selective, true)
})

t.test('a V3 card keeps its V3 fields', async (t) => {
  const card = parseCard(v3Card())
  const src = v3Card().data
  t.same(card.data.assets, src.assets)
  t.equal(card.data.nickname, 'Nyxie')
  t.same(card.data.creator_notes_multilingual, src.creator_notes_multilingual)
  t.same(card.data.source, src.source)
  t.same(card.data.group_only_greetings, ['Hello, everyone.'])
  t.equal(card.data.creation_date, 1700000000)
  t.equal(card.data.modification_date, 1700000500)
  t.equal(parseCard({ ...v3Card(), spec_version: '3.1' }).data.name, 'Nyx', 'later 3.x accepted')
})

t.test('V1 (flat fields, no spec) and old Pygmalion names are read as V2 data', async (t) => {
  const v1 = parseCard({ name: 'Old', description: 'd', personality: 'p', scenario: 's', first_mes: 'hi', mes_example: 'ex', talkativeness: '0.5' })
  t.same([v1.data.name, v1.data.description, v1.data.first_mes, v1.data.mes_example], ['Old', 'd', 'hi', 'ex'])
  t.same(v1.data.alternate_greetings, [])
  const pyg = parseCard({ char_name: 'Pyg', char_persona: 'persona', world_scenario: 'world', char_greeting: 'yo', example_dialogue: 'dlg' })
  t.same([pyg.data.name, pyg.data.description, pyg.data.scenario, pyg.data.first_mes, pyg.data.mes_example], ['Pyg', 'persona', 'world', 'yo', 'dlg'])
  t.equal(parseCard({ data: { name: 'NoSpec' } }).data.name, 'NoSpec', 'V2 data without spec')
})

t.test('nulls count as absent, missing fields get spec defaults', async (t) => {
  const card = parseCard({ spec: 'chara_card_v2', spec_version: '2.0', data: { name: 'N', character_book: null, creator_notes: null, extensions: { x: null } } })
  t.equal(card.data.character_book, undefined)
  t.equal(card.data.creator_notes, '')
  t.same(card.data.extensions, { x: null }, 'nulls inside extensions stay')
  const book = parseCard({ spec: 'chara_card_v2', data: { name: 'N', character_book: { entries: [{ keys: ['a'], content: 'A', comment: null }, { keys: ['b'], content: 'B' }] } } }).data.character_book!
  t.same(book.entries.map((e) => [e.enabled, e.insertion_order, e.use_regex]), [[true, 0, false], [true, 1, false]], 'defaults keep book order')
  t.notOk('comment' in book.entries[0]!)
})

t.test('invalid cards name the failing field', async (t) => {
  fieldError(t, { spec: 'chara_card_v2', spec_version: '2.0', data: { name: 5 } }, 'data.name', /^data\.name: expected string$/)
  fieldError(t, { spec: 'chara_card_v2', data: { description: 'x' } }, 'data.name', /is required/)
  fieldError(t, { spec: 'chara_card_v3', spec_version: '3.0', data: { name: '' } }, 'data.name', /non-empty/)
  fieldError(t, { spec: 'chara_card_v2', data: { name: 'A', tags: ['a', 3] } }, 'data.tags[1]', /expected string/)
  fieldError(t, { spec: 'chara_card_v2', data: { name: 'A', alternate_greetings: 'hi' } }, 'data.alternate_greetings', /expected array/)
  fieldError(t, { spec: 'chara_card_v3', spec_version: '3.0', data: { name: 'A', character_book: { entries: [{ keys: 'x', content: 'c' }] } } }, 'data.character_book.entries[0].keys', /expected array/)
  fieldError(t, { spec: 'chara_card_v3', spec_version: '3.0', data: { name: 'A', character_book: { entries: [{ keys: ['x'], content: 'c', position: true }] } } }, 'data.character_book.entries[0].position', /string or number/)
  fieldError(t, { spec: 'chara_card_v3', spec_version: '3.0', data: { name: 'A', assets: [{ type: 'icon', uri: 'ccdefault:' }] } }, 'data.assets[0].name', /required/)
  fieldError(t, { spec: 'chara_card_v3', spec_version: '3.0', data: { name: 'A', creation_date: 'today' } }, 'data.creation_date', /expected number/)
  fieldError(t, { spec: 'chara_card_v3', spec_version: '2.0', data: { name: 'A' } }, 'spec_version', /3\.0/)
  fieldError(t, { spec: 'chara_card_v9', data: { name: 'A' } }, 'spec', /unsupported/)
  fieldError(t, { spec: 'chara_card_v2', data: 'x' }, 'data', /expected an object/)
  fieldError(t, { name: 7 }, 'name', /expected string/)
  fieldError(t, [1], 'card', /JSON object/)
  fieldError(t, null, 'card', /JSON object/)
})

t.test('the V2 twin follows the V2 spec', async (t) => {
  const v2 = toV2(parseCard(v3Card()))
  t.ok(Value.Check(CardV2Schema, v2))
  t.equal(v2.spec, 'chara_card_v2')
  t.notOk('assets' in v2.data)
  t.notOk('group_only_greetings' in v2.data)
  t.notOk('use_regex' in v2.data.character_book!.entries[0]!)
  t.same(v2.data.extensions, v3Card().data.extensions)
  t.same(parseCard(v2).data.character_book, parseCard(v3Card()).data.character_book, 'twin reads back to the same lorebook')
})
