import type { McpSessionShared } from './repository.ts'

// What the parts of one MCP session (subscriptions.ts, logging.ts) share with whatever keeps its copies
// alike (http-shared.ts): its own file, so those parts and types.ts do not import each other.

/** a change of what every copy of a session holds alike (McpSessionShared), made by this copy's client */
export type SharedChange = { subscribe: string, max: number } | { unsubscribe: string } | { logLevel: string }

/**
 * What a session holds that its copies on other instances must hold too (an MCP HTTP session may have one
 * per instance): the copy holding the client's GET stream is the one whose notifications reach it.
 */
export interface SessionSharing {
  /**
   * set where other copies can exist (http-shared.ts): writes a change where they read it, before it is
   * answered; false refuses it (a subscription over the cap, counted over every copy)
   */
  write?: (change: SharedChange) => Promise<boolean>
  /** serves what the record says now (another copy changed it, or this one was just rebuilt from it) */
  apply (shared: McpSessionShared): Promise<void>
}
