import { useCallback, useEffect, useState } from 'preact/hooks'
import { useApi } from '../api/context.ts'
import { describeError } from '../api/errors.ts'
import { ErrorNote } from '../ui/ErrorNote.tsx'

interface Run { prune_run_id: string, persona_id: string | null, trigger: string, memories_pruned: number, created_at: string, restored_at: string | null, purged_at: string | null }
interface Recommendation { needs_pruning: boolean, current_count: number, target_count: number, recommendation: string, would_prune?: number }

/**
 * What pruning would do now (memory.prune_recommendations), pruning (memory.prune, admin keys) and the
 * history of prune runs (memory.prune_stats) with a restore button for each run (memory.restore).
 */
export function PrunePanel ({ personaId, onChanged }: { personaId: string, onChanged: () => void }) {
  const api = useApi()
  const [advice, setAdvice] = useState<Recommendation>()
  const [runs, setRuns] = useState<Run[]>([])
  const [status, setStatus] = useState<string>()
  const [error, setError] = useState<string>()

  const load = useCallback(async () => {
    if (!personaId) return
    try {
      setAdvice((await api.rpc.call<{ recommendations: Recommendation }>('memory.prune_recommendations', { persona_id: personaId })).recommendations)
      const stats = await api.rpc.call<{ pruning_statistics: { recent_runs?: Run[] } }>('memory.prune_stats')
      setRuns((stats.pruning_statistics.recent_runs ?? []).filter((r) => r.persona_id === personaId))
    } catch (err) { setError(describeError(err)) }
  }, [api, personaId])
  useEffect(() => { void load() }, [load])

  const act = async (method: string, params: Record<string, unknown>, said: (r: Record<string, unknown>) => string) => {
    setError(undefined)
    try {
      setStatus(said(await api.rpc.call(method, params)))
      await load()
      onChanged()
    } catch (err) { setError(describeError(err)) }
  }

  return (
    <section class="card prune" aria-labelledby="prune-title">
      <h3 id="prune-title">Pruning</h3>
      {advice && <p>{advice.recommendation} ({advice.current_count} memories, target {advice.target_count})</p>}
      {api.admin && (
        <button type="button" onClick={() => void act('memory.prune', { persona_id: personaId, force: true },
          (r) => `Pruned ${String(r.memories_pruned)} memories (${String(r.memories_before)} → ${String(r.memories_after)}).`)}>Prune now</button>
      )}
      {status && <p role="status">{status}</p>}
      <ErrorNote error={error} />
      <table class="runs">
        <caption>Prune history</caption>
        <thead><tr><th scope="col">when</th><th scope="col">trigger</th><th scope="col">pruned</th><th scope="col">state</th><th scope="col"><span class="sr-only">action</span></th></tr></thead>
        <tbody>
          {runs.length === 0 && <tr><td colSpan={5}>No prune runs for this persona.</td></tr>}
          {runs.map((r) => (
            <tr key={r.prune_run_id}>
              <td>{new Date(r.created_at).toLocaleString()}</td>
              <td>{r.trigger}</td>
              <td>{r.memories_pruned}</td>
              <td>{r.restored_at ? 'restored' : r.purged_at ? 'purged' : 'restorable'}</td>
              <td>{api.admin && !r.restored_at && !r.purged_at && r.memories_pruned > 0 && (
                <button type="button" aria-label={`Restore the ${r.memories_pruned} memories pruned ${new Date(r.created_at).toLocaleString()}`}
                  onClick={() => void act('memory.restore', { prune_run_id: r.prune_run_id }, () => `Restored ${r.memories_pruned} memories.`)}>Restore</button>
              )}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
