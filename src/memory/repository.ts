import type { DecayParams } from './rules/decay.ts'
import type { PruneCandidate } from './rules/pruning.ts'
import type { Visibility } from './types.ts'

// What the memory system needs from a database, named by use. Implementations live in
// src/store/<database>/memories*.ts; times are epoch ms, "viewer" is statsViewer's user id (null: every memory).

export interface NewMemory {
  personaId: string
  userId: string | null
  content: string
  memoryType: string
  importance: number
  emotionalValence: number
  visibility: Visibility
  relatedPersonas: string[]
  metadata: Record<string, unknown>
  embedding: Float32Array
  embeddingModel: string
}

export interface MemoryRow {
  id: string
  personaId: string
  userId: string | null
  content: string
  memoryType: string
  importance: number
  baseImportance: number
  emotionalValence: number
  visibility: Visibility
  relatedPersonas: string[]
  metadata: Record<string, unknown>
  accessCount: number
  lastAccessedAt: number | null
  createdAt: number
}

/** A memory's editable fields as they are to be; the row becomes pending for the vector index. */
export interface MemoryChange {
  content: string
  importance: number
  baseImportance: number
  memoryType: string
  visibility: Visibility
  metadata: Record<string, unknown>
  /** the new content's vector, when the content changed */
  embedding?: { vector: Float32Array, model: string }
}

export interface MemoryListFilter {
  personaId?: string
  userId?: string
  memoryType?: string
  visibility?: Visibility
  /** a literal substring of the content (no wildcards); ASCII letters match in any case */
  contains?: string
  limit: number
  offset: number
}

/** Recalls of one memory since the last write: how many, and when the latest was. */
export interface MemoryAccess { id: string, count: number, at: number }

export interface MemoryRepository {
  insert (memory: NewMemory, now: number): Promise<string>
  /** a live (not pruned) memory */
  get (id: string): Promise<MemoryRow | undefined>
  /** live memories by id, in no particular order (every search: must be cheap); rows may be shared: never change them */
  getMany (ids: string[]): Promise<MemoryRow[]>
  /** a persona's live memories a user may see, newest first */
  recent (personaId: string, userId: string, limit: number, memoryType?: string): Promise<MemoryRow[]>
  /** the operator's list: one page of live memories, newest first, and how many match in all */
  list (filter: MemoryListFilter): Promise<{ rows: MemoryRow[], total: number }>
  /** adds a batch of recalls to the access counts and times, all together */
  recordAccesses (accesses: MemoryAccess[]): Promise<void>
  update (id: string, change: MemoryChange): Promise<void>
  /** deletes for good; false when there was no such memory */
  remove (id: string): Promise<boolean>
}

/** A persona's live memories as one viewer sees them. */
export interface PersonaMemoryFigures {
  total: number
  averageImportance: number
  /** importance 0.7 or more */
  highImportance: number
  createdSince: number
  byType: Record<string, number>
}

export interface SharedMemoryFigures { personaId: string, shared: number, public: number, crossReferences: number }

export interface MemoryStatsRepository {
  /** `since`: what counts as created recently (start of today) (memory.stats, persona.status: must be cheap) */
  persona (personaId: string, viewer: string | null, since: number): Promise<PersonaMemoryFigures>
  /** per persona with any visible memory */
  shared (viewer: string | null): Promise<SharedMemoryFigures[]>
}

/** Changes to the memory config sections made at run time, kept across restarts. */
export interface MemorySettingsRepository {
  /** every stored change, by section */
  load (): Promise<Record<string, Record<string, unknown>>>
  /** merges `patch` into the stored change of `section` */
  save (section: string, patch: Record<string, unknown>): Promise<void>
}

export interface PruneRunRecord {
  id: string
  /** null for a global run */
  personaId: string | null
  trigger: string
  status: string
  memoriesBefore: number
  memoriesAfter: number
  memoriesPruned: number
  avgImportancePruned: number
  avgImportanceKept: number
  /** seconds */
  processingTime: number
  createdAt: number
  restoredAt: number | null
  purgedAt: number | null
}

export type NewPruneRun = Omit<PruneRunRecord, 'status' | 'restoredAt' | 'purgedAt'>

export interface PruneRunTotals {
  runs: number
  memoriesPruned: number
  /** seconds; 0 without runs */
  averageProcessingTime: number
  lastGlobalAt: number | null
  /** when each persona was last pruned */
  lastByPersona: Record<string, number>
}

export interface DecayRunRecord {
  id: string
  personaId: string | null
  trigger: string
  mode: string
  rate: number
  personasProcessed: number
  memoriesProcessed: number
  memoriesDecayed: number
  averageDecay: number
  autoPrunes: number
  processingTime: number
  createdAt: number
}

export type NewDecayRun = Omit<DecayRunRecord, 'id' | 'createdAt'>

export interface DecayRunTotals { runs: number, memoriesDecayed: number, autoPrunes: number }

/** One decay pass over the live memories of one persona (or all), set-based. */
export interface DecayPass extends DecayParams { personaId: string | null, now: number }

export interface DecayPassResult {
  /** live memories in scope (protected ones included) */
  processed: number
  /** memories whose importance changed */
  decayed: number
  /** mean drop in importance among the decayed ones (0 when none) */
  averageDecay: number
}

export interface MemoryMaintenanceRepository {
  /** a persona's live memories a prune may take (pinned ones never) */
  pruneCandidates (personaId: string): Promise<PruneCandidate[]>
  /** a persona's live memories the viewer may see, pinned ones included (recommendations) */
  visibleMemories (personaId: string, viewer: string | null): Promise<PruneCandidate[]>
  /** records the run and soft-deletes its memories (restorable), together */
  recordPrune (run: NewPruneRun, memoryIds: string[]): Promise<void>
  findPruneRun (id: string): Promise<PruneRunRecord | undefined>
  /** the run's memories live again (pending for the index) and the run is marked restored; how many came back */
  restorePruneRun (id: string, now: number): Promise<number>
  /** memories pruned before `cutoff` are deleted for good and their runs marked purged; how many */
  purgePruned (cutoff: number, now: number): Promise<number>
  /** newest first */
  pruneRuns (page: { personaId?: string, limit: number, offset: number }): Promise<{ rows: PruneRunRecord[], total: number }>
  pruneRunTotals (): Promise<PruneRunTotals>
  decay (pass: DecayPass): Promise<DecayPassResult>
  recordDecayRun (run: NewDecayRun, now: number): Promise<DecayRunRecord>
  /** the newest run (of this trigger) */
  lastDecayRun (trigger?: string): Promise<DecayRunRecord | undefined>
  decayRunTotals (): Promise<DecayRunTotals>
}
