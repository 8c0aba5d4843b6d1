import { CardError } from '../../src/cards/errors.ts'
import { zipSync, strToU8 } from 'fflate'
import { PNG } from 'pngjs'

// Cards written to the published specs (V2: malfoyslastname/character-card-spec-v2,
// V3: kwaroran/character-card-spec-v3), and files built with independent encoders (pngjs, fflate).

export const v2Book = () => ({
  name: 'Lore of Brindle',
  scan_depth: 4,
  token_budget: 500,
  recursive_scanning: false,
  extensions: { vendor_book: { kept: true } },
  entries: [
    { keys: ['Brindle'], content: 'Brindle is a river town.', extensions: {}, enabled: true, insertion_order: 10, case_sensitive: false, selective: false, constant: false, priority: 1, position: 'before_char', name: 'town', comment: 'c', id: 1 },
    { keys: ['dragon'], secondary_keys: ['cave', 'mountain'], selective: true, content: 'The dragon sleeps in the cave.', extensions: { selectiveLogic: 0 }, enabled: true, insertion_order: 5 },
  ],
})

export const v2Card = () => ({
  spec: 'chara_card_v2',
  spec_version: '2.0',
  data: {
    name: 'Seraphina',
    description: 'A gentle forest guardian.',
    personality: 'kind, protective',
    scenario: 'You wake up in her glade.',
    first_mes: '*She smiles.* You are awake.',
    mes_example: '<START>\n{{user}}: Hi\n{{char}}: Hello, traveller.',
    creator_notes: 'Be nice.',
    system_prompt: 'You are {{char}}.',
    post_history_instructions: 'Stay in character.',
    alternate_greetings: ['Hello again.', 'Oh, you are back.'],
    character_book: v2Book(),
    tags: ['fantasy', 'guardian'],
    creator: 'someone',
    character_version: '1.2',
    extensions: { talkativeness: '0.5', fav: false, world: 'Brindle', depth_prompt: { prompt: 'x', depth: 4, role: 'system' } },
  },
})

export const v3Card = () => {
  const { data } = v2Card()
  return {
    spec: 'chara_card_v3',
    spec_version: '3.0',
    data: {
      ...data,
      name: 'Nyx',
      character_book: { ...v2Book(), entries: v2Book().entries.map((e) => ({ ...e, use_regex: false })) },
      assets: [{ type: 'icon', uri: 'embeded://assets/icon/images/main.png', name: 'main', ext: 'png' }],
      nickname: 'Nyxie',
      creator_notes_multilingual: { en: 'Be nice.', fr: 'Sois gentil.' },
      source: ['https://example.invalid/nyx'],
      group_only_greetings: ['Hello, everyone.'],
      creation_date: 1700000000,
      modification_date: 1700000500,
    },
  }
}

/** A real 4x3 RGBA PNG from pngjs (with a pixel pattern to compare after rewriting chunks). */
export function smallPng (width = 4, height = 3): Buffer {
  const png = new PNG({ width, height })
  for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 37) % 256
  return PNG.sync.write(png)
}

export function pixelsOf (png: Buffer): Buffer {
  return PNG.sync.read(png).data
}

/** Inserts tEXt chunks before IEND, the way SillyTavern writes them (own CRC code under test is not used). */
export function withTextChunks (png: Buffer, chunks: Array<[string, string]>): Buffer {
  const iend = png.length - 12
  const encoded = chunks.map(([keyword, text]) => {
    const data = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')])
    const head = Buffer.alloc(8)
    head.writeUInt32BE(data.length)
    head.write('tEXt', 4, 'latin1')
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(referenceCrc(Buffer.concat([head.subarray(4), data])))
    return Buffer.concat([head, data, crc])
  })
  return Buffer.concat([png.subarray(0, iend), ...encoded, png.subarray(iend)])
}

/** Bit-by-bit CRC-32 (PNG spec annex D), independent of the table-driven one under test. */
export function referenceCrc (bytes: Uint8Array): number {
  let crc = 0xffffffff
  for (const byte of bytes) {
    crc ^= byte
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1))
  }
  return (crc ^ 0xffffffff) >>> 0
}

export const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64')

export function charxZip (card: unknown, files: Record<string, Uint8Array> = {}): Buffer {
  return Buffer.from(zipSync({ 'card.json': strToU8(JSON.stringify(card)), ...files }))
}

/** The CardError `fn` throws (fails loudly when it throws something else or nothing). */
export function cardErrorOf (fn: () => unknown): CardError {
  try {
    fn()
  } catch (err) {
    if (err instanceof CardError) return err
    throw err
  }
  throw new Error('expected a CardError, nothing was thrown')
}
