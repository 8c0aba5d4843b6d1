import { strToU8, zipSync } from 'fflate'
import type { TSchema } from '@sinclair/typebox'
import { unzipBounded } from './charx.ts'
import { CardError } from './errors.ts'
import { parseCard } from './parse.ts'
import type { Card } from './schema.ts'
import {
  BUNDLE_FORMAT, BUNDLE_VERSION, BundleConversation, BundleManifest, BundleMemory, BundleRelationship,
  type BundleConversation as Conversation, type BundleManifest as Manifest, type BundleMemory as Memory, type BundleRelationship as Relationship,
} from './bundle-schemas.ts'
import { assertValid } from './validate.ts'

// A persona bundle's zip: manifest.json, card.json, memories.jsonl, relationship.json (null without one),
// conversations.jsonl. Reading is bounded like a CHARX (entries, declared sizes before inflating) and every
// file is checked against its shape; errors are CardErrors naming the file and field.

export interface BundleContent {
  manifest: Manifest
  card: Card
  memories: Memory[]
  relationship: Relationship | null
  conversations: Conversation[]
}

const FILES = ['manifest.json', 'card.json', 'memories.jsonl', 'relationship.json', 'conversations.jsonl'] as const

const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n')

export function writeBundle (content: BundleContent): Uint8Array {
  const texts: Record<(typeof FILES)[number], string> = {
    'manifest.json': JSON.stringify(content.manifest, null, 2),
    'card.json': JSON.stringify(content.card),
    'memories.jsonl': jsonl(content.memories),
    'relationship.json': JSON.stringify(content.relationship),
    'conversations.jsonl': jsonl(content.conversations),
  }
  return zipSync(Object.fromEntries(Object.entries(texts).map(([name, text]) => [name, strToU8(text)])), { level: 6 })
}

const invalid = (message: string, field?: string) => new CardError('invalid_bundle', message, field)

function parseJson (text: string, field: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw invalid('is not JSON', field)
  }
}

function checked<T> (schema: TSchema, value: unknown, field: string): T {
  assertValid(schema, value, field, 'invalid_bundle')
  return value as T
}

const lines = <T>(text: string, file: string, schema: TSchema): T[] =>
  text.split('\n').flatMap((line, i) => (line.trim() === '' ? [] : [checked<T>(schema, parseJson(line, `${file}[${i}]`), `${file}[${i}]`)]))

/** The bundle's files, checked. Throws CardError: too_large past `maxBytes` (or 4x unpacked), invalid_bundle otherwise. */
export function readBundle (zip: Uint8Array, maxBytes: number): BundleContent {
  if (zip.length > maxBytes) throw new CardError('too_large', `the bundle is ${zip.length} bytes, more than the ${maxBytes} allowed`)
  const files = unzipBounded(zip, { maxEntries: 16, maxUncompressedBytes: maxBytes * 4 }, 'the bundle', 'invalid_bundle')
  const text = (name: string) => {
    const bytes = files[name]
    if (bytes === undefined) throw invalid(`the bundle has no ${name}`, name)
    return Buffer.from(bytes).toString('utf8')
  }
  const rawManifest = parseJson(text('manifest.json'), 'manifest.json') as Record<string, unknown> | null
  // the format and version first: a bundle of another version gets that answer, not a list of field errors
  if (rawManifest?.format !== BUNDLE_FORMAT) throw invalid(`expected "${BUNDLE_FORMAT}"`, 'manifest.json.format')
  if (rawManifest.version !== BUNDLE_VERSION) {
    throw invalid(`version ${JSON.stringify(rawManifest.version)} is not supported (this server reads version ${BUNDLE_VERSION})`, 'manifest.json.version')
  }
  const manifest = checked<Manifest>(BundleManifest, rawManifest, 'manifest.json')
  const card = parseCard(parseJson(text('card.json'), 'card.json'))
  const relationship = parseJson(text('relationship.json'), 'relationship.json')
  return {
    manifest,
    card,
    memories: lines<Memory>(text('memories.jsonl'), 'memories.jsonl', BundleMemory),
    relationship: relationship === null ? null : checked<Relationship>(BundleRelationship, relationship, 'relationship.json'),
    conversations: lines<Conversation>(text('conversations.jsonl'), 'conversations.jsonl', BundleConversation),
  }
}

/** a vector as the bundle carries it */
export const vectorText = (v: Float32Array): string => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')

/** the bundle's vector back, or a CardError when it does not have `dimensions` floats */
export function vectorOf (text: string, dimensions: number, field: string): Float32Array {
  const bytes = Buffer.from(text, 'base64')
  if (bytes.byteLength !== dimensions * 4) throw invalid(`expected ${dimensions} float32 values (base64), got ${bytes.byteLength} bytes`, field)
  const out = new Float32Array(dimensions)
  new Uint8Array(out.buffer).set(bytes)
  return out
}
