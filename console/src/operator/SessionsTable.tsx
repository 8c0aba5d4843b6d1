import { useEffect, useState } from 'preact/hooks'
import { useApi } from '../api/context.ts'

interface Session { id: string, user_id: string, current_persona: { name: string } | string | null, attached: boolean, conversation_count: number, last_activity: string }

const personaName = (p: Session['current_persona']) => (p === null ? '—' : typeof p === 'string' ? p : p.name)

/** The stored sessions (GET /admin/v1/sessions), refreshed with the status. */
export function SessionsTable ({ tick }: { tick: number }) {
  const api = useApi()
  const [sessions, setSessions] = useState<Session[]>([])
  useEffect(() => { void api.rest<{ items: Session[] }>('GET', '/sessions?limit=50').then((r) => setSessions(r.items), () => undefined) }, [api, Math.floor(tick / 5)])
  return (
    <table class="sessions">
      <caption>Sessions ({sessions.length})</caption>
      <thead><tr><th scope="col">session</th><th scope="col">user</th><th scope="col">persona</th><th scope="col">connected</th><th scope="col">threads</th><th scope="col">last activity</th></tr></thead>
      <tbody>
        {sessions.map((s) => (
          <tr key={s.id}>
            <td><code>{s.id.slice(0, 8)}</code></td><td>{s.user_id}</td><td>{personaName(s.current_persona)}</td>
            <td>{s.attached ? 'yes' : 'no'}</td><td>{s.conversation_count}</td><td>{new Date(s.last_activity).toLocaleTimeString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
