import { Type } from '@sinclair/typebox'
import { defineMethod } from '../rpc/method.ts'
import type { MemoryEditor } from './edit.ts'
import { EditedMemoryView, editedMemoryView, MemoryId, MemoryPatchParams } from './schemas.ts'
import type { Visibility } from './types.ts'

/** memory.update and memory.delete: one's own memories (admin keys: any); another user's is -32010 not found. */
export function createMemoryEditMethods ({ editor }: { editor: MemoryEditor }) {
  return [
    defineMethod({
      name: 'memory.update',
      idempotent: true,
      description: 'Change one of your memories: content (re-embedded), importance, type, visibility, protected. Only the fields given change. ' +
        'Another user\'s memory is -32010 not found; a persona\'s own memory (lore) only its owner or an admin may change.',
      params: Type.Composite([Type.Object({ memory_id: MemoryId }), MemoryPatchParams]),
      result: Type.Object({ memory_id: Type.String(), updated: Type.Literal(true), memory: EditedMemoryView }),
      handler: async ({ memory_id, ...p }, ctx) => {
        const row = await editor.update(memory_id, {
          content: p.content, importance: p.importance, memoryType: p.memory_type, visibility: p.visibility as Visibility | undefined, protected: p.protected,
        }, ctx.connection.user)
        return { memory_id, updated: true as const, memory: editedMemoryView(row) }
      },
    }),
    defineMethod({
      name: 'memory.delete',
      destructive: true,
      description: 'Delete one of your memories for good (row and vector). Another user\'s memory is -32010 not found.',
      params: Type.Object({ memory_id: MemoryId }),
      result: Type.Object({ memory_id: Type.String(), deleted: Type.Literal(true) }),
      handler: async ({ memory_id }, ctx) => {
        await editor.remove(memory_id, ctx.connection.user)
        return { memory_id, deleted: true as const }
      },
    }),
  ]
}
