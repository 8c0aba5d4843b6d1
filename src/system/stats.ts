/** Process-wide counters reported by system.status (and, later, /metrics). */
export function createRuntimeStats (now: () => number = Date.now) {
  const startedAt = now()
  return {
    startedAt,
    connections: 0,
    connectionsTotal: 0,
    requests: 0,
    /** persona-to-persona conversations under way; the conversation engine replaces it */
    activeConversations: (): number => 0,
    uptimeSeconds (): number {
      return (now() - startedAt) / 1000
    },
  }
}

export type RuntimeStats = ReturnType<typeof createRuntimeStats>
