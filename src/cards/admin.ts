import type { UserIdentity } from '../rpc/caller.ts'
import { domainError, ErrorCode } from '../rpc/errors.ts'
import type { PersonaService } from '../personas/service.ts'
import type { Avatar } from './assets.ts'
import { importedCardView, type ImportedCardView } from './schemas.ts'
import type { CardService } from './service.ts'

// The operator's cards (/admin/v1/personas/import, /avatar): a card file as an upload, and avatars.

export function createCardAdmin ({ cards, personas }: { cards: CardService, personas: PersonaService }) {
  return {
    /** the uploaded file (raw bytes) or a JSON card; it belongs to the uploading key's user, as a create does */
    async importUpload (body: Buffer | object | null | undefined, user: UserIdentity): Promise<ImportedCardView> {
      if (body === undefined || body === null) throw domainError(ErrorCode.InvalidParams, 'the card file is the request body')
      return importedCardView(await cards.importCard(Buffer.isBuffer(body) ? new Uint8Array(body) : body, user))
    },

    /** the card's avatar, or a generated monogram PNG */
    avatar: (idOrName: string): Promise<Avatar> => cards.avatarOrGenerated(personas.get(idOrName)),
  }
}
