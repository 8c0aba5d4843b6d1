import { Type } from '@sinclair/typebox'
import { defineMethod } from '../rpc/method.ts'
import type { UserData } from './data.ts'

const Counts = Type.Record(Type.String(), Type.Integer(), { description: 'rows (and vector entries, summaries) by kind' })

/** user.export and user.erase: the caller's own data only, whatever its scope. */
export function createUserMethods ({ data }: { data: UserData }) {
  return [
    defineMethod({
      name: 'user.export',
      readOnly: true,
      description: 'Everything stored about you as JSON: sessions, conversations, messages, memories, relationships, API key metadata (never secrets).',
      params: Type.Object({}),
      result: Type.Record(Type.String(), Type.Unknown()),
      handler: (_p, ctx) => data.export(ctx.connection.user.id),
    }),
    defineMethod({
      name: 'user.erase',
      destructive: true,
      destructiveWhen: (args) => args.dry_run !== true,
      description: 'Erase everything stored about you (rows, vectors, summaries). `dry_run: true` only counts what would go. ' +
        'Personas you created stay, without an owner. Returns a receipt: what went, counted, and when.',
      params: Type.Object({ dry_run: Type.Boolean({ default: false }) }),
      result: Type.Object({
        user_id: Type.String(),
        dry_run: Type.Boolean(),
        counts: Counts,
        erased_at: Type.Optional(Type.String({ format: 'date-time' })),
        vector_index: Type.Optional(Type.String()),
      }),
      handler: async ({ dry_run }, ctx) => {
        const userId = ctx.connection.user.id
        if (dry_run) return { user_id: userId, dry_run: true, counts: data.counts(userId) }
        const receipt = await data.erase(userId)
        return { user_id: userId, dry_run: false, counts: receipt.erased, erased_at: receipt.erased_at, vector_index: receipt.vector_index }
      },
    }),
  ]
}
