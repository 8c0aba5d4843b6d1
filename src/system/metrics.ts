import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { StoredCounts } from './repository.ts'

export interface MetricsSources {
  stored: StoredCounts
  connections: () => number
  llmLoad: () => { running: number, queued: number }
  /** the event relay to the other instances (src/events/relay.ts): its backlog and what it dropped */
  relay?: () => { dropped: number, queued: number }
}

/**
 * The server's Prometheus metrics. Counters and histograms are fed by hooks as things happen;
 * gauges over stored data (memories, prune and decay runs) are read from the store at scrape time.
 */
export function createMetrics ({ stored, connections, llmLoad, relay }: MetricsSources) {
  const register = new Registry()
  collectDefaultMetrics({ register, prefix: 'persona_process_' })

  const requests = new Counter({ name: 'persona_rpc_requests_total', help: 'JSON-RPC calls by method and outcome (ok, error, internal)', labelNames: ['method', 'outcome'], registers: [register] })
  const latency = new Histogram({
    name: 'persona_rpc_duration_seconds', help: 'JSON-RPC call latency by method', labelNames: ['method'], registers: [register],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5, 30],
  })
  const llmLatency = new Histogram({
    name: 'persona_llm_duration_seconds', help: 'Time spent waiting on the model per reply', labelNames: ['response_type'], registers: [register],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  })
  const tokens = new Counter({ name: 'persona_llm_tokens_total', help: 'Tokens generated', labelNames: ['response_type'], registers: [register] })

  new Gauge({ name: 'persona_websocket_connections', help: 'Open WebSocket connections', registers: [register], collect () { this.set(connections()) } })
  new Gauge({
    name: 'persona_llm_generations', help: 'Replies being generated and waiting', labelNames: ['state'], registers: [register],
    collect () { const { running, queued } = llmLoad(); this.set({ state: 'running' }, running); this.set({ state: 'queued' }, queued) },
  })
  new Gauge({
    name: 'persona_memories', help: 'Memories per persona (live, not pruned)', labelNames: ['persona'], registers: [register],
    async collect () {
      const rows = await stored.memoriesPerPersona()
      this.reset()
      for (const row of rows) this.set({ persona: row.persona }, row.memories)
    },
  })
  new Gauge({ name: 'persona_memories_pruned_pending_purge', help: 'Pruned memories that memory.restore can still bring back', registers: [register], async collect () { this.set(await stored.prunedMemories()) } })
  new Gauge({ name: 'persona_prune_runs', help: 'Prune runs recorded', registers: [register], async collect () { this.set(await stored.pruneRuns()) } })
  if (relay) {
    // the relay counts its own drops; the counter is set from it at scrape time
    new Counter({ name: 'persona_events_relay_dropped_total', help: 'Events not sent to the other instances: the relay backlog was full', registers: [register], collect () { this.reset(); this.inc(relay().dropped) } })
    new Gauge({ name: 'persona_events_relay_queued', help: 'Events waiting to be sent to the other instances', registers: [register], collect () { this.set(relay().queued) } })
  }
  new Gauge({ name: 'persona_decay_runs', help: 'Decay runs recorded', registers: [register], async collect () { this.set(await stored.decayRuns()) } })

  // label children looked up once per method: a per-call label hash would cost more than a cheap call
  const requestChildren = new Map<string, Counter.Internal>()
  const latencyChildren = new Map<string, Histogram.Internal<string>>()

  return {
    register,
    call (method: string, outcome: string, seconds: number): void {
      const key = `${method}\u0000${outcome}`
      let counter = requestChildren.get(key)
      if (!counter) requestChildren.set(key, counter = requests.labels(method, outcome))
      counter.inc()
      let histogram = latencyChildren.get(method)
      if (!histogram) latencyChildren.set(method, histogram = latency.labels(method))
      histogram.observe(seconds)
    },
    generated (responseType: string, llmMs: number, tokenCount: number): void {
      if (responseType === 'direct') llmLatency.observe({ response_type: responseType }, llmMs / 1000)
      tokens.inc({ response_type: responseType }, tokenCount)
    },
  }
}
