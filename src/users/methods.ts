import { Type } from '@sinclair/typebox'
import { defineMethod } from '../rpc/method.ts'
import { EraseReceipt, UserExport } from './schemas.ts'
import type { UserDataService } from './service.ts'

/** user.export and user.erase: the caller's own data only, whatever its scope. */
export function createUserMethods ({ data }: { data: UserDataService }) {
  return [
    defineMethod({
      name: 'user.export',
      readOnly: true,
      description: 'Everything stored about you as JSON: sessions, conversations, messages, memories, relationships, API key metadata (never secrets).',
      params: Type.Object({}),
      result: UserExport,
      handler: (_p, ctx) => data.export(ctx.connection.user.id),
    }),
    defineMethod({
      name: 'user.erase',
      destructive: true,
      destructiveWhen: (args) => args.dry_run !== true,
      description: 'Erase everything stored about you (rows, vectors, summaries). `dry_run: true` only counts what would go. ' +
        'Personas you created stay, without an owner. Returns a receipt: what went, counted, and when.',
      params: Type.Object({ dry_run: Type.Boolean({ default: false }) }),
      result: EraseReceipt,
      handler: ({ dry_run }, ctx) => (dry_run ? data.dryRun(ctx.connection.user.id) : data.erase(ctx.connection.user.id)),
    }),
  ]
}
