import fp from 'fastify-plugin'
import { createMemoryAdmin, type MemoryAdmin } from '../src/memory/admin.ts'
import { createMemoryEditMethods } from '../src/memory/edit-methods.ts'
import { createMemoryEditor } from '../src/memory/edit.ts'
import { createMaintenanceHistory } from '../src/memory/maintenance-history.ts'
import { createMaintenanceMethods } from '../src/memory/maintenance-methods.ts'
import { createMemoryMaintenance, type MemoryMaintenance } from '../src/memory/maintenance.ts'
import { createMemoryMethods } from '../src/memory/methods.ts'
import { createMemoryJobs } from '../src/memory/schedule.ts'
import { createMemoryService, type MemoryService } from '../src/memory/service.ts'
import { loadMemorySettings, type MemorySettings } from '../src/memory/settings.ts'
import { createMemoryStats } from '../src/memory/stats.ts'
import { rememberTurn } from '../src/memory/turns.ts'

declare module 'fastify' {
  interface FastifyInstance {
    memory: MemoryService
    memoryMaintenance: MemoryMaintenance
    /** what the admin routes under /admin/v1/memories call */
    memoryAdmin: MemoryAdmin
    /** the runtime-tunable memory settings (the admin API changes them through `update`) */
    memorySettings: MemorySettings
  }
}

/** The memory system: every chat turn remembered, recalled into prompts, pruned and decayed on schedule. */
export default fp(async (app) => {
  const { store, vectors, personas, sessions, conversations } = app
  const log = app.log.child({ component: 'memory' })
  const settings = await loadMemorySettings(store.memorySettings, app.config.memory)
  const repository = store.memories
  const stats = createMemoryStats(store.memoryStats)
  const memory = createMemoryService({ repository, index: vectors, embedder: vectors.embedder, settings, findPersona: personas.find, log })
  const maintenance = createMemoryMaintenance({
    repository: store.memoryMaintenance, index: vectors, settings, personaIds: () => personas.list().map((p) => p.id), flushAccesses: memory.flushAccesses, log,
  })
  const history = createMaintenanceHistory({ repository: store.memoryMaintenance, settings })
  const editor = createMemoryEditor({ repository, find: memory.get, index: vectors, embedder: vectors.embedder, findPersona: personas.find, log })
  app.decorate('memory', memory)
  app.decorate('memoryMaintenance', maintenance)
  app.decorate('memorySettings', settings)
  app.decorate('memoryAdmin', createMemoryAdmin({ memory, repository, editor, stats, maintenance, history, settings, personas }))
  app.rpc.registry.add(
    ...createMemoryMethods({ memory, stats, personas, sessions }),
    ...createMemoryEditMethods({ editor }),
    ...createMaintenanceMethods({ maintenance, history, settings, personas, sessions }),
  )
  // recalls noted by searches are written before the database closes (db's onClose runs after this one)
  app.addHook('onClose', async () => { await memory.flushAccesses() })

  conversations.onTurn(rememberTurn(memory))
  conversations.addPromptSection((context) => memory.promptSection(context))

  const jobs = await createMemoryJobs({ maintenance, repository: store.memoryMaintenance, settings, log, shared: app.cluster.scope === 'many' })
  app.scheduler.every('memory-decay', '* * * * *', jobs.decay)
  app.scheduler.every('memory-purge', '17 3 * * *', jobs.purge)
}, { name: 'memory', dependencies: ['config', 'db', 'rpc', 'vector', 'persona', 'sessions', 'conversation', 'scheduler'] })
