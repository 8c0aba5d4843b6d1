export interface ComponentHealth {
  status: 'up' | 'down' | 'degraded' | 'disabled'
  detail?: string
}

/** Readiness of the parts the server depends on; plugins add their own checks. */
export function createHealthChecks () {
  const checks = new Map<string, { check: () => Promise<ComponentHealth> | ComponentHealth, required: boolean }>()
  return {
    add (name: string, check: () => Promise<ComponentHealth> | ComponentHealth, options: { required?: boolean } = {}): void {
      checks.set(name, { check, required: options.required ?? true })
    },
    /** every component's state; `ready` is false when a required one is down */
    async report (): Promise<{ ready: boolean, components: Record<string, ComponentHealth> }> {
      const entries = await Promise.all([...checks].map(async ([name, { check, required }]) => {
        let health: ComponentHealth
        try {
          health = await check()
        } catch (err) {
          health = { status: 'down', detail: (err as Error).message }
        }
        return { name, health, required }
      }))
      const components = Object.fromEntries(entries.map(({ name, health }) => [name, health]))
      const ready = entries.every(({ health, required }) => !required || health.status !== 'down')
      return { ready, components }
    },
  }
}

export type HealthChecks = ReturnType<typeof createHealthChecks>
