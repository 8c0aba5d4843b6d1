import { createContext } from 'preact'
import { useCallback, useContext, useEffect, useState } from 'preact/hooks'
import type { Api } from '../api/connect.ts'
import type { EmotionalState, InteractionState, Persona } from './types.ts'

export interface Directory {
  personas: Persona[]
  /** reload every persona (after a create, edit, import or delete) */
  refresh: () => Promise<void>
}

export const DirectoryContext = createContext<Directory>({ personas: [], refresh: async () => {} })
export const usePersonas = (): Directory => useContext(DirectoryContext)

async function loadPersonas (api: Api): Promise<Persona[]> {
  const { personas } = await api.rpc.call<{ personas: Array<{ id: string }> }>('persona.list')
  return Promise.all(personas.map(async ({ id }) => {
    const [persona, mood] = await Promise.all([
      api.rpc.call<Persona>('persona.get', { persona_id: id }),
      api.rpc.call<{ emotional_state: EmotionalState }>('emotional.get_state', { persona_id: id }).catch(() => undefined),
    ])
    return { ...persona, emotional_state: mood?.emotional_state }
  }))
}

/**
 * Every persona with its live state: loaded once, then kept current by the `persona.*` events
 * (state_changed carries the interaction state, mood_changed the emotional state).
 */
export function useDirectory (api: Api): Directory {
  const [personas, setPersonas] = useState<Persona[]>([])
  const refresh = useCallback(async () => setPersonas(await loadPersonas(api)), [api])

  useEffect(() => {
    const off = api.rpc.onEvent(({ topic, event, data }) => {
      if (!topic.startsWith('persona.')) return
      const id = topic.slice('persona.'.length)
      setPersonas((list) => list.map((p) => {
        if (p.id !== id) return p
        if (event === 'state_changed') return { ...p, interaction_state: { ...p.interaction_state, ...(data.interaction_state as InteractionState) } }
        if (event === 'mood_changed') return { ...p, emotional_state: data.emotional_state as EmotionalState }
        return p
      }))
    })
    void api.rpc.call('events.subscribe', { topics: ['persona.*'] })
    void refresh()
    return off
  }, [api, refresh])

  return { personas, refresh }
}
