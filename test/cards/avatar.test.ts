import t from 'tap'
import { PNG } from 'pngjs'
import { avatarColor, avatarPng, avatarSvg, avatarSvgDataUri, initials, nameHash } from '../../src/cards/avatar.ts'
import { sniffImageMime } from '../../src/cards/assets.ts'
import { readPngCard, writePngCard } from '../../src/cards/png.ts'
import { personaToCard } from '../../src/cards/export.ts'

t.test('PNG avatar: a valid image, stable per name, different between names', async (t) => {
  const png = avatarPng('Aria')
  t.equal(sniffImageMime(png), 'image/png')
  const decoded = PNG.sync.read(png) // independent decoder
  t.same([decoded.width, decoded.height], [256, 256])
  t.same(avatarPng('Aria'), png, 'deterministic')
  t.not(avatarPng('Kira').equals(png), true, 'another name, another picture')
  const colours = new Set<string>()
  for (let i = 0; i < decoded.data.length; i += 4) colours.add(decoded.data.subarray(i, i + 3).join(','))
  t.equal(colours.size, 2, 'foreground pattern on a background')
  t.ok(colours.has(avatarColor('Aria').join(',')), 'in the name colour')
  t.same(PNG.sync.read(avatarPng('x', 32)).width, 32)
  const { card } = personaToCard({ persona: { name: 'Aria' } })
  t.same(readPngCard(writePngCard(png, card)).card, card, 'carries a card for export')
})

t.test('SVG monogram: initials on the colour, text escaped', async (t) => {
  t.same(['Aria', 'kira the scholar', 'élodie-marie', '  ', '<script>', '42 Bots'].map(initials), ['A', 'KT', 'ÉM', '?', 'S', '4B'])
  const svg = avatarSvg('Tom & <Jerry>')
  t.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
  t.match(svg, /<title>Tom &#38; &#60;Jerry&#62;<\/title>/)
  t.notMatch(svg, /<Jerry>/)
  t.match(svg, />TJ<\/text><\/svg>$/)
  t.match(svg, new RegExp(`fill="#[0-9a-f]{6}"`))
  t.match(avatarSvg('"\'&'), />\?<\/text>/)
  const uri = avatarSvgDataUri('Aria')
  t.match(uri, /^data:image\/svg\+xml;base64,/)
  t.equal(Buffer.from(uri.split(',')[1]!, 'base64').toString('utf8'), avatarSvg('Aria'))
  t.equal(nameHash('Aria'), nameHash('aria'), 'colour ignores case')
})

t.test('image sniffing', async (t) => {
  t.equal(sniffImageMime(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), 'image/jpeg')
  t.equal(sniffImageMime(Buffer.from('GIF89a')), 'image/gif')
  t.equal(sniffImageMime(Buffer.from('RIFF\0\0\0\0WEBPVP8 ')), 'image/webp')
  t.equal(sniffImageMime(Buffer.from('\0\0\0\x1cftypavif')), 'image/avif')
  t.equal(sniffImageMime(Buffer.from('hello')), undefined)
})
