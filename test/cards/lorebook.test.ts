import t from 'tap'
import { activateLorebook } from '../../src/cards/lorebook.ts'
import { parseDecorators } from '../../src/cards/decorators.ts'
import { parseCard } from '../../src/cards/parse.ts'
import type { Lorebook, LorebookEntry } from '../../src/cards/schema.ts'

let nextId = 0
const entry = (e: Partial<LorebookEntry> & Pick<LorebookEntry, 'keys' | 'content'>): LorebookEntry =>
  ({ extensions: {}, enabled: true, insertion_order: 100, use_regex: false, id: nextId++, ...e })
const names = (r: ReturnType<typeof activateLorebook>) => r.entries.map((a) => a.entry.name)

const book = (): Lorebook => ({
  extensions: {},
  entries: [
    entry({ name: 'town', keys: ['Brindle'], content: 'Brindle is a river town.', insertion_order: 20 }),
    entry({ name: 'dragon', keys: ['dragon'], secondary_keys: ['cave', 'mountain'], selective: true, content: 'The dragon sleeps in the cave.', insertion_order: 10 }),
    entry({ name: 'rules', keys: [], constant: true, content: 'Magic costs blood.', insertion_order: 30 }),
    entry({ name: 'secret', keys: ['Password'], case_sensitive: true, content: 'The password is moon.', insertion_order: 5 }),
    entry({ name: 'off', keys: ['Brindle'], enabled: false, content: 'Disabled lore.', insertion_order: 1 }),
  ],
})

t.test('keys, selective, constant, case-sensitive and disabled entries', async (t) => {
  t.same(names(activateLorebook(book(), ['hello'])), ['rules'], 'only the constant entry without keys in the text')
  t.same(names(activateLorebook(book(), ['We sail to BRINDLE tomorrow'])), ['town', 'rules'], 'case-insensitive substring by default; sorted by insertion_order; disabled skipped')
  t.same(names(activateLorebook(book(), ['a dragon!'])), ['rules'], 'selective: primary key alone is not enough')
  t.same(names(activateLorebook(book(), ['a dragon', 'in a Cave'])), ['dragon', 'rules'], 'selective: primary and a secondary key')
  t.same(names(activateLorebook(book(), ['the password?'])), ['rules'], 'case-sensitive entry: wrong case does not match')
  t.same(names(activateLorebook(book(), ['the Password?'])), ['secret', 'rules'])
  t.same(names(activateLorebook(book(), ['brindle'], { caseSensitive: true })), ['rules'], 'book-level case sensitivity for entries that set none')
  t.same(names(activateLorebook(book(), ['Brindleton'])), ['town', 'rules'], 'substring, not whole word (SillyTavern default)')
  t.same(names(activateLorebook(book(), ['Brindleton'], { matchWholeWords: true })), ['rules'], 'whole words when asked')
  t.same(names(activateLorebook(book(), ['to Brindle.'], { matchWholeWords: true })), ['town', 'rules'])
  const r = activateLorebook(book(), ['Brindle'])
  t.same(r.entries.map((a) => [a.reason, a.key]), [['key', 'Brindle'], ['constant', undefined]])
  t.equal(r.tokens, Math.ceil('Brindle is a river town.'.length / 4) + Math.ceil('Magic costs blood.'.length / 4), 'tokens = ceil(chars/4)')
})

t.test('selectiveLogic of SillyTavern', async (t) => {
  const logic = (selectiveLogic: number, text: string) => names(activateLorebook([entry({ name: 'x', keys: ['k'], secondary_keys: ['a', 'b'], selective: true, content: 'X', extensions: { selectiveLogic } })], [text]))
  t.same([logic(0, 'k a'), logic(0, 'k')], [['x'], []], 'AND ANY')
  t.same([logic(1, 'k a'), logic(1, 'k a b')], [['x'], []], 'NOT ALL')
  t.same([logic(2, 'k'), logic(2, 'k b')], [['x'], []], 'NOT ANY')
  t.same([logic(3, 'k a b'), logic(3, 'k a')], [['x'], []], 'AND ALL')
  t.same(names(activateLorebook([entry({ name: 'y', keys: ['k'], secondary_keys: [' '], selective: true, content: 'Y' })], ['k'])), ['y'], 'no secondary keys: primary alone')
  t.same(names(activateLorebook([entry({ name: 'z', keys: ['k'], secondary_keys: ['never'], selective: false, content: 'Z' })], ['k'])), ['z'], 'secondary keys ignored when not selective')
})

t.test('token budget: constant first, then priority, then insertion order', async (t) => {
  const entries = [
    entry({ name: 'a', keys: ['go'], content: 'x'.repeat(40), insertion_order: 1 }), // 10 tokens
    entry({ name: 'b', keys: ['go'], content: 'x'.repeat(40), insertion_order: 2, priority: 5 }),
    entry({ name: 'c', keys: [], constant: true, content: 'x'.repeat(40), insertion_order: 3 }),
    entry({ name: 'd', keys: ['go'], content: 'x'.repeat(8), insertion_order: 4 }), // 2 tokens
  ]
  const r = activateLorebook(entries, ['go'], { tokenBudget: 22 })
  t.same(names(r), ['b', 'c', 'd'], 'c (constant) and b (priority) kept, a does not fit, d still does')
  t.same(r.dropped.map((a) => a.entry.name), ['a'])
  t.equal(r.tokens, 22)
  t.same(names(activateLorebook({ extensions: {}, token_budget: 10, entries }, ['go'])), ['c'], "the book's token_budget")
  t.same(names(activateLorebook(entries, ['go'], { tokenBudget: 3, estimateTokens: () => 1 })), ['a', 'b', 'c'], 'own estimator: one token each, d ranks last')
})

t.test('scan depth: only the most recent texts', async (t) => {
  const texts = ['Brindle long ago', 'weather', 'more weather']
  t.same(names(activateLorebook({ ...book(), scan_depth: 2 }, texts)), ['rules'], "book's scan_depth")
  t.same(names(activateLorebook({ ...book(), scan_depth: 2 }, texts, { scanDepth: 3 })), ['town', 'rules'], 'option overrides the book')
  t.same(names(activateLorebook(book(), texts, { scanDepth: 0 })), ['rules'], 'depth 0 scans nothing')
})

t.test('V3: regex keys, decorators, recursive scanning', async (t) => {
  const regex = [entry({ name: 'r', keys: ['/colou?r/i'], use_regex: true, content: 'R' }), entry({ name: 'bad', keys: ['(['], use_regex: true, content: 'B' }), entry({ name: 'bare', keys: ['^hel+o'], use_regex: true, content: 'H' })]
  t.same(names(activateLorebook(regex, ['Hello, what COLOR?'])), ['r', 'bare'], 'regex keys; a broken pattern matches nothing')
  const decorated = [
    entry({ name: 'always', keys: [], content: '@@activate\nAlways here.' }),
    entry({ name: 'never', keys: ['x'], content: '@@dont_activate\nNever.' }),
    entry({ name: 'extra', keys: ['nothing'], content: '@@additional_keys moon, star\nSky lore.' }),
    entry({ name: 'excl', keys: ['x'], content: '@@exclude_keys sun\nNot with sun.' }),
    entry({ name: 'deep', keys: ['old'], content: '@@scan_depth 3\nDeep.' }),
  ]
  const r = activateLorebook(decorated, ['old', 'x', 'a star and the sun'], { scanDepth: 1 })
  t.same(names(r), ['always', 'extra', 'deep'])
  t.equal(r.entries[0]!.content, 'Always here.', 'decorators are not sent to the prompt')
  t.equal(r.entries[0]!.reason, 'decorator')
  const chain = { extensions: {}, recursive_scanning: true, entries: [entry({ name: 'one', keys: ['start'], content: 'leads to second' }), entry({ name: 'two', keys: ['second'], content: 'end' })] }
  t.same(names(activateLorebook(chain, ['start'])), ['one', 'two'], 'recursive scanning')
  t.same(names(activateLorebook(chain, ['start'], { recursive: false })), ['one'])
})

t.test('decorator parsing', async (t) => {
  t.same(parseDecorators('@@depth 4\n@@@role system\n@@ \nText\n@@not_a_decorator'), {
    decorators: [{ name: 'depth', value: '4' }, { name: 'role', value: 'system' }],
    content: 'Text\n@@not_a_decorator',
  })
  t.same(parseDecorators('plain'), { decorators: [], content: 'plain' })
})

t.test('a parsed V2 card book works as is', async (t) => {
  const card = parseCard({ spec: 'chara_card_v2', data: { name: 'N', character_book: { entries: [{ keys: ['fox'], content: 'Foxes are sly.' }] } } })
  t.same(activateLorebook(card.data.character_book!, ['A FOX']).entries.map((a) => a.content), ['Foxes are sly.'])
})
