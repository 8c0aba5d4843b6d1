import { useEffect, useState } from 'preact/hooks'
import type { Api } from '../api/connect.ts'
import { describeError } from '../api/errors.ts'

export interface SystemStatus {
  system_status: string
  version: string
  uptime_seconds: number
  connections: number
  requests_total: number
  attached_sessions: number
  llm_available: boolean
  total_personas: number
  available_personas: number
  active_conversations: number
  memory_rss_bytes: number
  components: Record<string, { status: string, detail?: string }>
}

export interface Sample { t: number, connections: number, rate: number }

const PERIOD_MS = 2000
const KEEP = 150 // five minutes of samples

/** Polls GET /admin/v1/system/status: the latest status, and connections and requests per second over the last minutes. */
export function useStatusSeries (api: Api) {
  const [status, setStatus] = useState<SystemStatus>()
  const [samples, setSamples] = useState<Sample[]>([])
  const [error, setError] = useState<string>()
  useEffect(() => {
    let last: { t: number, requests: number } | null = null
    const poll = async () => {
      try {
        const s = await api.rest<SystemStatus>('GET', '/system/status')
        const t = Date.now() / 1000
        const rate = last ? Math.max(0, (s.requests_total - last.requests) / (t - last.t)) : 0
        last = { t, requests: s.requests_total }
        setStatus(s)
        setError(undefined)
        setSamples((all) => [...all.slice(-(KEEP - 1)), { t, connections: s.connections, rate }])
      } catch (err) { setError(describeError(err)) }
    }
    void poll()
    const timer = setInterval(poll, PERIOD_MS)
    return () => clearInterval(timer)
  }, [api])
  return { status, samples, error }
}
