import t from 'tap'
import { readCardFile } from '../../src/cards/detect.ts'
import { parseCard } from '../../src/cards/parse.ts'
import { b64, cardErrorOf, charxZip, pixelsOf, smallPng, v2Card, v3Card, withTextChunks } from './helpers.ts'

const png = () => withTextChunks(smallPng(), [['chara', b64(v2Card())], ['ccv3', b64(v3Card())]])

t.test('every accepted input gives the same card', async (t) => {
  const expected = parseCard(v3Card())
  const json = JSON.stringify(v3Card())
  const cases: Array<[string, Parameters<typeof readCardFile>[0], string]> = [
    ['object', v3Card(), 'json'],
    ['JSON string', json, 'json'],
    ['JSON string with BOM and spaces', `\uFEFF  ${json}`, 'json'],
    ['base64 of JSON', Buffer.from(json).toString('base64'), 'json'],
    ['JSON bytes', Buffer.from(json), 'json'],
    ['PNG bytes', png(), 'png'],
    ['base64 of PNG', png().toString('base64'), 'png'],
    ['data: URI of PNG', `data:image/png;base64,${png().toString('base64')}`, 'png'],
    ['base64url of PNG', png().toString('base64url'), 'png'],
    ['CHARX bytes', charxZip(v3Card()), 'charx'],
    ['base64 of CHARX', charxZip(v3Card()).toString('base64'), 'charx'],
    ['Uint8Array', new Uint8Array(png()), 'png'],
  ]
  for (const [label, input, format] of cases) {
    const got = readCardFile(input)
    t.equal(got.format, format, `${label}: format`)
    t.same(got.card, expected, `${label}: card`)
  }
})

t.test('avatars: the PNG without card chunks, the CHARX main icon, a data: URI icon of JSON', async (t) => {
  const fromPng = readCardFile(png())
  t.equal(fromPng.avatar?.mime, 'image/png')
  t.notOk(fromPng.avatar!.bytes.includes(Buffer.from('ccv3')))
  t.same(pixelsOf(fromPng.avatar!.bytes), pixelsOf(smallPng()))
  const fromCharx = readCardFile(charxZip(v3Card(), { 'assets/icon/images/main.png': smallPng() }))
  t.same(fromCharx.avatar?.bytes, smallPng())
  t.equal(fromCharx.assets?.length, 1)
  const withDataUri = v3Card()
  withDataUri.data.assets = [{ type: 'icon', uri: `data:image/png;base64,${smallPng().toString('base64')}`, name: 'main', ext: 'png' }]
  t.same(readCardFile(withDataUri).avatar, { mime: 'image/png', bytes: smallPng() })
  t.notOk(readCardFile(v3Card()).avatar, 'an embeded:// icon of a bare JSON card has no bytes')
  t.notOk(readCardFile(v2Card()).avatar)
})

t.test('bad input: clear errors', async (t) => {
  t.match(cardErrorOf(() => readCardFile('{ not json')), { reason: 'invalid_json', message: /not valid JSON/ })
  t.match(cardErrorOf(() => readCardFile('hello there!')), { reason: 'unsupported_format', message: /base64 of a PNG, CHARX or JSON/ })
  t.match(cardErrorOf(() => readCardFile('')), { reason: 'unsupported_format' })
  t.match(cardErrorOf(() => readCardFile(Buffer.from('GIF89a-some-gif').toString('base64'))), { reason: 'unsupported_format', message: /expected a PNG card/ })
  t.match(cardErrorOf(() => readCardFile({ spec: 'chara_card_v2', data: { name: 1 } })), { reason: 'invalid_card', field: 'data.name' })
  t.match(cardErrorOf(() => readCardFile(png(), { maxBytes: 64 })), { reason: 'too_large' })
  t.match(cardErrorOf(() => readCardFile(png().toString('base64'), { maxBytes: 64 })), { reason: 'too_large' })
  t.match(cardErrorOf(() => readCardFile('A'.repeat(200), { maxBytes: 100 })), { reason: 'too_large', message: /input is more than/ })
})
