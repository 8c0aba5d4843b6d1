import t from 'tap'
import { readPngCard, stripCardChunks, writePngCard } from '../../src/cards/png.ts'
import { crc32, encodeChunks, readChunks, textChunk } from '../../src/cards/png-chunks.ts'
import { parseCard } from '../../src/cards/parse.ts'
import { b64, cardErrorOf, pixelsOf, referenceCrc, smallPng, v2Card, v3Card, withTextChunks } from './helpers.ts'

t.test('CRC-32 agrees with the bit-by-bit reference and the PNG check value', async (t) => {
  t.equal(crc32(Buffer.from('IEND')), 0xae426082, 'IEND CRC from the PNG spec')
  const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 131) % 256))
  t.equal(crc32(bytes.subarray(0, 10), bytes.subarray(10)), referenceCrc(bytes), 'split input = whole input')
})

t.test('a SillyTavern PNG: V2 card in the chara chunk', async (t) => {
  const png = withTextChunks(smallPng(), [['chara', b64(v2Card())]])
  const { card, chunk } = readPngCard(png)
  t.equal(chunk, 'chara')
  t.equal(card.data.name, 'Seraphina')
  t.equal(readPngCard(withTextChunks(smallPng(), [['Chara', b64(v2Card())]])).card.data.name, 'Seraphina', 'keyword case-insensitive, as SillyTavern')
  t.equal(readPngCard(withTextChunks(smallPng(), [['chara', JSON.stringify(v2Card())]])).card.data.name, 'Seraphina', 'plain JSON text tolerated')
})

t.test('ccv3 is preferred over chara; a broken ccv3 falls back to chara', async (t) => {
  const both = withTextChunks(smallPng(), [['chara', b64(v2Card())], ['ccv3', b64(v3Card())]])
  t.same(readPngCard(both), { card: parseCard(v3Card()), chunk: 'ccv3' })
  const broken = withTextChunks(smallPng(), [['ccv3', b64({ spec: 'chara_card_v3', spec_version: '3.0', data: { name: 3 } })], ['chara', b64(v2Card())]])
  t.equal(readPngCard(broken).chunk, 'chara')
  const onlyBroken = withTextChunks(smallPng(), [['ccv3', b64({ spec: 'chara_card_v3', spec_version: '3.0', data: { name: 3 } })]])
  t.match(cardErrorOf(() => readPngCard(onlyBroken)), { reason: 'invalid_card', field: 'data.name' })
  const bothBroken = withTextChunks(smallPng(), [['ccv3', b64({ spec: 'x' })], ['chara', 'not base64 !!']])
  t.match(cardErrorOf(() => readPngCard(bothBroken)), { field: 'spec' }, 'the ccv3 error is the one reported')
})

t.test('writing sets both chunks, replaces old ones and keeps the image', async (t) => {
  const original = withTextChunks(smallPng(), [['chara', b64({ spec: 'chara_card_v2', data: { name: 'Old' } })], ['Comment', 'hello']])
  const card = parseCard(v3Card())
  const out = writePngCard(original, card)
  t.same(pixelsOf(out), pixelsOf(smallPng()), 'pixels unchanged (decoded by pngjs)')
  const texts = readChunks(out, 1e9).filter((c) => c.type === 'tEXt').map((c) => c.data.toString('latin1').split('\0')[0])
  t.same(texts.sort(), ['Comment', 'ccv3', 'chara'], 'one chara, one ccv3, other text kept')
  t.same(readPngCard(out).card, card)
  const chara = readChunks(out, 1e9).find((c) => c.type === 'tEXt' && c.data.toString('latin1').startsWith('chara\0'))!
  const v2 = JSON.parse(Buffer.from(chara.data.subarray(6).toString('latin1'), 'base64').toString('utf8'))
  t.equal(v2.spec, 'chara_card_v2')
  t.equal(v2.data.name, 'Nyx')
  t.same(readChunks(writePngCard(out, card), 1e9).length, readChunks(out, 1e9).length, 'rewriting does not add chunks')
  const stripped = stripCardChunks(out)
  t.notOk(stripped.includes(Buffer.from('ccv3')), 'avatar without the card data')
  t.same(pixelsOf(stripped), pixelsOf(smallPng()))
})

t.test('corrupted PNGs are refused with a clear error', async (t) => {
  const good = withTextChunks(smallPng(), [['chara', b64(v2Card())]])
  const badCrc = Buffer.from(good)
  badCrc[20] = badCrc[20]! ^ 0xff // inside the IHDR data
  t.match(cardErrorOf(() => readPngCard(badCrc)), { reason: 'invalid_png', message: /bad CRC/ })
  t.match(cardErrorOf(() => readPngCard(good.subarray(0, good.length - 20))), { reason: 'invalid_png', message: /truncated/ })
  t.match(cardErrorOf(() => readPngCard(good.subarray(0, good.length - 12))), { reason: 'invalid_png', message: /no IEND/ })
  t.match(cardErrorOf(() => readPngCard(good.subarray(0, good.length - 5))), { reason: 'invalid_png', message: /truncated/ })
  t.match(cardErrorOf(() => readPngCard(Buffer.from('GIF89a.......'))), { reason: 'invalid_png', message: /signature/ })
  const badType = Buffer.from(good)
  badType.write('1234', 12, 'latin1')
  t.match(cardErrorOf(() => readPngCard(badType)), { message: /bad chunk type/ })
  t.match(cardErrorOf(() => readPngCard(smallPng())), { reason: 'invalid_png', message: /no character card/ })
  t.match(cardErrorOf(() => readPngCard(withTextChunks(smallPng(), [['chara', '%%%']]))), { reason: 'invalid_png', message: /not base64/ })
  t.match(cardErrorOf(() => readPngCard(withTextChunks(smallPng(), [['chara', b64('x').slice(0, 3) + 'A']]))), { reason: 'invalid_json' })
})

t.test('sizes are bounded', async (t) => {
  const png = withTextChunks(smallPng(), [['chara', b64(v2Card())]])
  t.match(cardErrorOf(() => readPngCard(png, { maxBytes: 100 })), { reason: 'too_large', message: /more than the 100/ })
  t.match(cardErrorOf(() => readPngCard(png, { maxTextBytes: 100 })), { reason: 'too_large', message: /chunk chara/ })
  t.match(cardErrorOf(() => writePngCard(png, parseCard(v2Card()), { maxBytes: 10 })), { reason: 'too_large' })
})

t.test('card chunks must be tEXt with text', async (t) => {
  const chunks = readChunks(smallPng(), 1e9)
  const ztxt = { type: 'zTXt', data: Buffer.from('chara\0\0xyz', 'latin1') }
  const noNul = { ...textChunk('x', ''), data: Buffer.from('chara', 'latin1') }
  t.match(cardErrorOf(() => readPngCard(encodeChunks([...chunks.slice(0, -1), ztxt, chunks.at(-1)!]))), { message: /must be tEXt/ })
  t.match(cardErrorOf(() => readPngCard(encodeChunks([...chunks.slice(0, -1), noNul, chunks.at(-1)!]))), { message: /has no text/ })
})
