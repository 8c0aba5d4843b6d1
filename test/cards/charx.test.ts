import t from 'tap'
import { zipSync, strToU8 } from 'fflate'
import { readCharx, writeCharx } from '../../src/cards/charx.ts'
import { parseCard } from '../../src/cards/parse.ts'
import { cardErrorOf, charxZip, smallPng, v3Card } from './helpers.ts'

t.test('a CHARX: card.json, the main icon as the avatar, other assets with their bytes', async (t) => {
  const icon = smallPng()
  const card = v3Card()
  card.data.assets.push(
    { type: 'emotion', uri: 'embeded://assets/emotion/images/happy.png', name: 'happy', ext: 'png' },
    { type: 'background', uri: 'ccdefault:', name: 'bg', ext: 'png' },
    { type: 'icon', uri: 'embeded://assets/icon/images/../../../etc/passwd', name: 'evil', ext: 'png' },
  )
  const zip = charxZip(card, {
    'assets/icon/images/main.png': icon,
    'assets/emotion/images/happy.png': icon,
    'x_meta/1.json': strToU8('{}'),
  })
  const { card: read, assets, avatar } = readCharx(zip)
  t.equal(read.data.name, 'Nyx')
  t.same(avatar, { mime: 'image/png', bytes: icon })
  t.same(assets.map((a) => [a.name, a.path, a.bytes?.length]), [
    ['main', 'assets/icon/images/main.png', icon.length],
    ['happy', 'assets/emotion/images/happy.png', icon.length],
    ['bg', undefined, undefined],
    ['evil', undefined, undefined],
  ], 'ccdefault: and path escapes have no bytes')
})

t.test('the first icon when none is "main"; no avatar when the icon is not an image', async (t) => {
  const card = v3Card()
  card.data.assets = [{ type: 'icon', uri: 'embedded://pic.png', name: 'portrait', ext: 'png' }]
  t.ok(readCharx(charxZip(card, { 'pic.png': smallPng() })).avatar, 'embedded:// spelling tolerated')
  t.notOk(readCharx(charxZip(card, { 'pic.png': strToU8('not an image') })).avatar)
  t.notOk(readCharx(charxZip(card)).avatar, 'missing file')
})

t.test('bad CHARX files are refused', async (t) => {
  t.match(cardErrorOf(() => readCharx(Buffer.from(zipSync({ 'other.json': strToU8('{}') })))), { reason: 'invalid_charx', message: /no card.json/ })
  t.match(cardErrorOf(() => readCharx(Buffer.from(zipSync({ 'card.json': strToU8('{nope') })))), { reason: 'invalid_json' })
  t.match(cardErrorOf(() => readCharx(charxZip({ spec: 'chara_card_v3', spec_version: '3.0', data: {} }))), { reason: 'invalid_card', field: 'data.name' })
  t.match(cardErrorOf(() => readCharx(Buffer.from('PK\x03\x04 garbage garbage garbage'))), { reason: 'invalid_charx', message: /not a readable zip/ })
  t.match(cardErrorOf(() => readCharx(charxZip(v3Card()), { maxBytes: 10 })), { reason: 'too_large' })
})

t.test('zip bombs are refused before inflating', async (t) => {
  const zeros = new Uint8Array(8 * 1024 * 1024)
  const bomb = charxZip(v3Card(), { 'assets/other/zeros.bin': zeros })
  t.ok(bomb.length < 100_000, `8 MiB of zeros in a ${bomb.length}-byte zip`)
  t.match(cardErrorOf(() => readCharx(bomb, { maxUncompressedBytes: 1024 * 1024 })), { reason: 'too_large', message: /unpacks to more than/ })
  const many: Record<string, Uint8Array> = {}
  for (let i = 0; i < 300; i++) many[`assets/other/f${i}.txt`] = strToU8('x')
  t.match(cardErrorOf(() => readCharx(charxZip(v3Card(), many))), { reason: 'too_large', message: /more than 256 entries/ })
})

t.test('a zip that under-declares its sizes cannot inflate past them', async (t) => {
  const zeros = new Uint8Array(4 * 1024 * 1024)
  const card = v3Card()
  card.data.assets.push({ type: 'other', uri: 'embeded://assets/other/zeros.bin', name: 'zeros', ext: 'bin' })
  const zip = charxZip(card, { 'assets/other/zeros.bin': zeros })
  // set the uncompressed size in the local and central headers of that entry to 16 bytes
  const name = Buffer.from('assets/other/zeros.bin')
  for (let at = zip.indexOf(name); at !== -1; at = zip.indexOf(name, at + 1)) {
    const local = zip.readUInt32LE(at - 30) === 0x04034b50
    zip.writeUInt32LE(16, at - (local ? 8 : 22))
  }
  const { card: read, assets } = readCharx(zip, { maxUncompressedBytes: 64 * 1024 })
  t.equal(read.data.name, 'Nyx')
  t.equal(assets.find((a) => a.name === 'zeros')?.bytes?.length, 16, 'inflated into a buffer of the declared 16 bytes, not 4 MiB')
})

t.test('writeCharx round trip with the avatar as the main icon', async (t) => {
  const card = parseCard({ ...v3Card(), data: { ...v3Card().data, assets: [{ type: 'icon', uri: 'ccdefault:', name: 'main', ext: 'png' }, { type: 'background', uri: 'ccdefault:', name: 'bg', ext: 'png' }] } })
  const icon = smallPng()
  const read = readCharx(writeCharx(card, { mime: 'image/png', bytes: icon }))
  t.same(read.avatar, { mime: 'image/png', bytes: icon })
  t.same(read.card.data.assets?.map((a) => [a.name, a.uri]), [['main', 'embeded://assets/icon/images/main.png'], ['bg', 'ccdefault:']])
  t.same({ ...read.card.data, assets: undefined }, { ...card.data, assets: undefined })
  t.same(readCharx(writeCharx(card)).card, card, 'without an avatar the card is unchanged')
})
