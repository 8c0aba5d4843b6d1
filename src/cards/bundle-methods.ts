import { Type } from '@sinclair/typebox'
import { PersonaRef } from '../personas/schemas.ts'
import { defineMethod } from '../rpc/method.ts'
import { BundleInput, ExportedBundleView, ImportedBundleView } from './bundle-schemas.ts'
import type { BundleService } from './bundle.ts'

/** persona.export_bundle / import_bundle: the caller's own data about a persona, whatever its scope. */
export function createBundleMethods ({ bundles }: { bundles: BundleService }) {
  return [
    defineMethod({
      name: 'persona.export_bundle',
      readOnly: true,
      description: 'Everything you have with a persona, to take it to another server: its card, your memories of it (with vectors), ' +
        'your relationship with it and your conversations with it, as one zip (base64). Only your own data; the manifest says whether the persona was yours.',
      params: Type.Object({ persona_id: PersonaRef }),
      result: ExportedBundleView,
      handler: async ({ persona_id }, ctx) => {
        const { zip: _zip, ...view } = await bundles.exportBundle(persona_id, ctx.connection.user.id)
        return view
      },
    }),
    defineMethod({
      name: 'persona.import_bundle',
      description: 'Restore a persona bundle (from persona.export_bundle) as yours: the persona is created from its card when absent here, ' +
        'or the rows attach to yours of that name (a taken name that is not yours: -32006). Memories and conversations get new ids; ' +
        'vectors of another embedder are embedded again. Invalid bundles: -32602 with data.field.',
      params: Type.Object({ bundle_base64: BundleInput }),
      result: ImportedBundleView,
      handler: ({ bundle_base64 }, ctx) => bundles.importBundle(new Uint8Array(Buffer.from(bundle_base64, 'base64')), ctx.connection.user),
    }),
  ]
}
