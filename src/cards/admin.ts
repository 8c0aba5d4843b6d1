import { createHash } from 'node:crypto'
import type { UserIdentity } from '../rpc/caller.ts'
import { domainError, ErrorCode, RpcError } from '../rpc/errors.ts'
import type { PersonaService } from '../personas/service.ts'
import type { Avatar } from './assets.ts'
import { importedCardView, type ImportedCardView } from './schemas.ts'
import type { CardService } from './service.ts'

// The operator's cards (/admin/v1/personas/import, /avatar): a card file as an upload, and avatars.

/** One part of a multipart/form-data body, as @fastify/multipart yields it (only what we read). */
export interface UploadPart {
  readonly type: 'file' | 'field'
  readonly fieldname: string
  toBuffer?: () => Promise<Buffer>
}

/** the form field a card file is sent in (curl -F file=@card.png) */
export const UPLOAD_FIELD = 'file'

export interface ServedAvatar extends Avatar {
  /** a strong validator: the same bytes, the same tag */
  etag: string
}

const etagOf = (bytes: Buffer) => `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`

/** Whether an If-None-Match header names this tag (a list, weak tags compared weakly as RFC 9110 asks, or `*`). */
export function etagMatches (header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  return header.split(',').map((t) => t.trim().replace(/^W\//, '')).some((t) => t === etag || t === '*')
}

export function createCardAdmin ({ cards, personas }: { cards: CardService, personas: PersonaService }) {
  const admin = {
    /** the uploaded file (raw bytes) or a JSON card; it belongs to the uploading key's user, as a create does */
    async importUpload (body: Buffer | object | null | undefined, user: UserIdentity): Promise<ImportedCardView> {
      if (body === undefined || body === null) throw domainError(ErrorCode.InvalidParams, 'the card file is the request body')
      return importedCardView(await cards.importCard(Buffer.isBuffer(body) ? new Uint8Array(body) : body, user))
    },

    /**
     * A multipart/form-data upload: exactly one file, in the field `file`; text fields are ignored.
     * The size bound is the parser's (its 413 passes through); a second file is refused, not dropped.
     */
    async importMultipart (parts: AsyncIterable<UploadPart>, user: UserIdentity): Promise<ImportedCardView> {
      let file: Buffer | undefined
      try {
        for await (const part of parts) {
          if (part.type !== 'file') continue
          if (part.fieldname !== UPLOAD_FIELD) throw domainError(ErrorCode.InvalidParams, `the card file goes in the form field "${UPLOAD_FIELD}", not "${part.fieldname}"`)
          file = await part.toBuffer!()
        }
      } catch (err) {
        if ((err as { code?: string }).code === 'FST_FILES_LIMIT') throw domainError(ErrorCode.InvalidParams, 'one card file per upload')
        // ours (field rules) and the parser's own HTTP errors (413) stand; anything else is the form's fault
        // (no boundary, a cut-off part), which the parser throws as plain errors
        if (err instanceof RpcError || typeof (err as { statusCode?: unknown }).statusCode === 'number') throw err
        throw domainError(ErrorCode.InvalidParams, `malformed multipart/form-data body: ${(err as Error).message}`)
      }
      if (file === undefined) throw domainError(ErrorCode.InvalidParams, `no file in the form: send the card as the field "${UPLOAD_FIELD}"`)
      return admin.importUpload(file, user)
    },

    /**
     * The card's avatar, or a generated monogram PNG. Personas are shared (everyone may read and talk to
     * every persona, src/personas/ownership.ts), so any key may see any existing persona's avatar; an
     * unknown one is 404 like persona.get.
     */
    async avatar (idOrName: string): Promise<ServedAvatar> {
      const avatar = await cards.avatarOrGenerated(personas.get(idOrName))
      return { ...avatar, etag: etagOf(avatar.bytes) }
    },
  }
  return admin
}
