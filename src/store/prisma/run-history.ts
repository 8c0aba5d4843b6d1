import type { DecayRunRecord, MemoryMaintenanceRepository, PruneRunRecord } from '../../memory/repository.ts'

// The prune and decay run histories, read and written through Prisma the same way on every database (operators'
// pages, not hot). The generated clients' types differ per database, so the client is described here by the
// calls made and the rows they return: both clients fit it as they are.

type PruneRunRow = Omit<PruneRunRecord, 'createdAt' | 'restoredAt' | 'purgedAt'> & { createdAt: Date, restoredAt: Date | null, purgedAt: Date | null }
type DecayRunRow = Omit<DecayRunRecord, 'createdAt'> & { createdAt: Date }
type PersonaFilter = { personaId?: string }

export interface RunHistoryClient {
  pruneRun: {
    findUnique (args: { where: { id: string } }): PromiseLike<PruneRunRow | null>
    findMany (args: { where: PersonaFilter, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], skip: number, take: number }): PromiseLike<PruneRunRow[]>
    count (args: { where: PersonaFilter }): PromiseLike<number>
    aggregate (args: { _count: true, _sum: { memoriesPruned: true }, _avg: { processingTime: true } }):
    PromiseLike<{ _count: number, _sum: { memoriesPruned: number | null }, _avg: { processingTime: number | null } }>
    findFirst (args: { where: { trigger: 'global' }, orderBy: { createdAt: 'desc' } }): PromiseLike<PruneRunRow | null>
    groupBy (args: { by: ['personaId'], where: { personaId: { not: null } }, _max: { createdAt: true } }):
    PromiseLike<Array<{ personaId: string | null, _max: { createdAt: Date | null } }>>
  }
  decayRun: {
    create (args: { data: Omit<DecayRunRow, 'id'> }): PromiseLike<DecayRunRow>
    aggregate (args: { _count: true, _sum: { memoriesDecayed: true, autoPrunes: true } }):
    PromiseLike<{ _count: number, _sum: { memoriesDecayed: number | null, autoPrunes: number | null } }>
  }
}

type RunHistory = Pick<MemoryMaintenanceRepository, 'findPruneRun' | 'pruneRuns' | 'pruneRunTotals' | 'recordDecayRun' | 'decayRunTotals'>

const ms = (d: Date | null) => (d === null ? null : d.getTime())
const pruneRun = (r: PruneRunRow): PruneRunRecord => ({ ...r, createdAt: r.createdAt.getTime(), restoredAt: ms(r.restoredAt), purgedAt: ms(r.purgedAt) })
const decayRun = (r: DecayRunRow): DecayRunRecord => ({ ...r, createdAt: r.createdAt.getTime() })

export function createRunHistory (prisma: RunHistoryClient): RunHistory {
  return {
    async findPruneRun (id) {
      const run = await prisma.pruneRun.findUnique({ where: { id } })
      return run === null ? undefined : pruneRun(run)
    },
    async pruneRuns ({ personaId, limit, offset }) {
      const where = personaId === undefined ? {} : { personaId }
      const [rows, total] = await Promise.all([
        prisma.pruneRun.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], skip: offset, take: limit }),
        prisma.pruneRun.count({ where }),
      ])
      return { rows: rows.map(pruneRun), total }
    },
    async pruneRunTotals () {
      const [totals, lastGlobal, byPersona] = await Promise.all([
        prisma.pruneRun.aggregate({ _count: true, _sum: { memoriesPruned: true }, _avg: { processingTime: true } }),
        prisma.pruneRun.findFirst({ where: { trigger: 'global' }, orderBy: { createdAt: 'desc' } }),
        prisma.pruneRun.groupBy({ by: ['personaId'], where: { personaId: { not: null } }, _max: { createdAt: true } }),
      ])
      return {
        runs: totals._count,
        memoriesPruned: totals._sum.memoriesPruned ?? 0,
        averageProcessingTime: totals._avg.processingTime ?? 0,
        lastGlobalAt: ms(lastGlobal?.createdAt ?? null),
        lastByPersona: Object.fromEntries(byPersona.flatMap((g) => (g.personaId !== null && g._max.createdAt !== null ? [[g.personaId, g._max.createdAt.getTime()]] : []))),
      }
    },
    async recordDecayRun (run, now) { return decayRun(await prisma.decayRun.create({ data: { ...run, createdAt: new Date(now) } })) },
    async decayRunTotals () {
      const totals = await prisma.decayRun.aggregate({ _count: true, _sum: { memoriesDecayed: true, autoPrunes: true } })
      return { runs: totals._count, memoriesDecayed: totals._sum.memoriesDecayed ?? 0, autoPrunes: totals._sum.autoPrunes ?? 0 }
    },
  }
}
