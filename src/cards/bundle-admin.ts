import type { UserIdentity } from '../rpc/caller.ts'
import { domainError, ErrorCode } from '../rpc/errors.ts'
import type { ImportedBundleView } from './bundle-schemas.ts'
import type { BundleService } from './bundle.ts'

// The operator's bundles (/admin/v1/personas/{id}/bundle, /personas/import-bundle): any user's, as a zip file.

/** the user named by `?user=` (as a client: their own rights on personas), else the calling key's */
const whose = (caller: UserIdentity, user: string | undefined): UserIdentity =>
  (user === undefined || user === caller.id ? caller : { id: user, scope: 'client' })

export function createBundleAdmin ({ bundles }: { bundles: BundleService }) {
  return {
    /** the zip of what `user` (default: the caller) has about the persona */
    async exportZip (idOrName: string, caller: UserIdentity, user?: string): Promise<{ zip: Buffer, personaId: string }> {
      const { zip, persona_id } = await bundles.exportBundle(idOrName, whose(caller, user).id)
      return { zip: Buffer.from(zip), personaId: persona_id }
    },

    /** the uploaded zip (the raw body), restored for `user` (default: the caller) */
    async importZip (body: unknown, caller: UserIdentity, user?: string): Promise<ImportedBundleView> {
      if (!Buffer.isBuffer(body)) throw domainError(ErrorCode.InvalidParams, 'the bundle zip is the request body (Content-Type: application/zip)')
      return await bundles.importBundle(new Uint8Array(body), whose(caller, user))
    },
  }
}
