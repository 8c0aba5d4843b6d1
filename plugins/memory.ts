import fp from 'fastify-plugin'
import { createMemoryEditMethods } from '../src/memory/edit-methods.ts'
import { createMemoryEditor, type MemoryEditor } from '../src/memory/edit.ts'
import { createMaintenanceMethods } from '../src/memory/maintenance-methods.ts'
import { createMemoryMaintenance, type MemoryMaintenance } from '../src/memory/maintenance.ts'
import { createMemoryMethods } from '../src/memory/methods.ts'
import { createMemoryRepository } from '../src/memory/repository.ts'
import { createMemoryService, type MemoryService } from '../src/memory/service.ts'
import { loadMemorySettings, type MemorySettings } from '../src/memory/settings.ts'
import { createMemoryStats } from '../src/memory/stats.ts'

declare module 'fastify' {
  interface FastifyInstance {
    memory: MemoryService
    memoryMaintenance: MemoryMaintenance
    /** memory.update / memory.delete with the vector index kept in step */
    memoryEditor: MemoryEditor
    /** the runtime-tunable memory settings (the admin API changes them through `update`) */
    memorySettings: MemorySettings
  }
}

/** The memory system: every chat turn remembered, recalled into prompts, pruned and decayed on schedule. */
export default fp(async (app) => {
  const { db, vectors, personas, sessions, conversations } = app
  const log = app.log.child({ component: 'memory' })
  const settings = await loadMemorySettings(db.prisma, app.config.memory)
  const repository = createMemoryRepository(db.sqlite)
  const stats = createMemoryStats(db.sqlite)
  const memory = createMemoryService({ repository, index: vectors, embedder: vectors.embedder, settings, findPersona: personas.find, log })
  const maintenance = createMemoryMaintenance({
    sqlite: db.sqlite, prisma: db.prisma, index: vectors, settings, personaIds: () => personas.list().map((p) => p.id), log,
  })
  const editor = createMemoryEditor({ sqlite: db.sqlite, repository, index: vectors, embedder: vectors.embedder, findPersona: personas.find, log })
  app.decorate('memory', memory)
  app.decorate('memoryEditor', editor)
  app.decorate('memoryMaintenance', maintenance)
  app.decorate('memorySettings', settings)
  app.rpc.registry.add(
    ...createMemoryMethods({ memory, repository, stats, personas, sessions }),
    ...createMemoryEditMethods({ editor }),
    ...createMaintenanceMethods({ maintenance, settings, prisma: db.prisma, personas, sessions }),
  )

  // every chat turn becomes a scored memory, and the most relevant ones come back into the prompt
  conversations.onTurn(async (turn) => {
    const recentUserTexts = turn.thread.recent.filter((m) => m.role === 'user').map((m) => m.content).slice(-4, -1)
    await memory.store({
      personaId: turn.persona.id,
      userId: turn.session.userId,
      content: `User said: ${turn.message}. I responded: ${turn.reply}`,
      memoryType: 'conversation',
      importance: memory.score(turn.persona, turn.message, recentUserTexts, turn.reply),
      metadata: { conversation_id: turn.thread.id, turn_number: turn.turnNumber, response_type: turn.responseType },
    })
  })
  conversations.addPromptSection((context) => memory.promptSection(context))

  // decay runs when due (memory.decay.intervalHours, changeable at run time), checked every minute
  let lastDecay = (await db.prisma.decayRun.findFirst({ where: { trigger: 'schedule' }, orderBy: { createdAt: 'desc' } }))?.createdAt.getTime() ?? Date.now()
  app.scheduler.every('memory-decay', '* * * * *', async () => {
    const { enabled, intervalHours } = settings.current.decay
    if (!enabled || Date.now() - lastDecay < intervalHours * 3_600_000) return
    lastDecay = Date.now()
    const run = await maintenance.decay('schedule', null)
    log.info({ decayed: run.memoriesDecayed, processed: run.memoriesProcessed, autoPrunes: run.autoPrunes }, 'memory decay cycle')
  })
  app.scheduler.every('memory-purge', '17 3 * * *', async () => {
    const purged = await maintenance.purge()
    if (purged > 0) log.info({ purged }, 'pruned memories purged')
  })
}, { name: 'memory', dependencies: ['config', 'db', 'rpc', 'vector', 'persona', 'sessions', 'conversation', 'scheduler'] })
