// The port MCP Streamable HTTP sessions need from a database: enough of each session (whose it is, how it
// was initialised, when it was last used) for any instance on the same database to take it over.

export interface McpSessionParams {
  /** the initialize request's params, as the client sent them */
  protocolVersion: string
  capabilities: Record<string, unknown>
  clientInfo: Record<string, unknown>
}

/**
 * What every copy of a session serves alike, whichever instance a request lands on: the copy holding the
 * client's GET stream sends the notifications they earn, so a subscription made through another instance
 * must be known there.
 */
export interface McpSessionShared {
  /** resources/subscribe URIs, in the order they were first subscribed */
  subscriptions: string[]
  /** logging/setLevel's level; null: never set (the server's default applies) */
  logLevel: string | null
}

export interface McpSessionRecord extends McpSessionParams, McpSessionShared {
  id: string
  userId: string
  /** the persona session (current persona, threads) its copies serve; null: none recorded (a row from before there was one) */
  personaSessionId: string | null
  createdAt: Date
  lastSeenAt: Date
}

export interface McpSessionFollow {
  personaSessionId: string | null
  currentPersonaId: string | null | undefined
  /** the turns of the persona session's thread with its current persona (undefined: no such thread) */
  turnCount: number | undefined
}

export interface McpSessionRepository {
  /** records a session that has just been initialised (an existing id is overwritten) */
  save (record: McpSessionRecord): Promise<void>
  find (id: string): Promise<McpSessionRecord | null>
  /**
   * notes a use at `at` (lastSeenAt never moves back); false when the session is gone or was last seen
   * before `cutoff` (idle-expired), so the caller must treat it as ended
   */
  touch (id: string, at: Date, cutoff: Date): Promise<boolean>
  /**
   * touch, and what a copy of the session follows: its persona session, that one's current persona as
   * stored (undefined: the persona session has no row) and how far its thread with that persona is. null when touch would be false. One query on
   * PostgreSQL: the request's check that the session lives tells the copy of a persona switch elsewhere.
   */
  touchAndRead (id: string, at: Date, cutoff: Date): Promise<McpSessionFollow | null>
  /**
   * adds `uri` to the session's subscriptions unless it holds `max` already: true when it is there after
   * (added now or before), false when refused for the cap or the session has no row. One atomic row
   * update: two instances subscribing the session at once both land.
   */
  subscribe (id: string, uri: string, max: number): Promise<boolean>
  /** removes `uri` from the session's subscriptions (not there: nothing happens), atomically as subscribe */
  unsubscribe (id: string, uri: string): Promise<void>
  setLogLevel (id: string, level: string): Promise<void>
  /** session.resume gave the session another persona session */
  setPersonaSession (id: string, personaSessionId: string): Promise<void>
  delete (id: string): Promise<void>
  /** the user's sessions last seen at or after `cutoff`, least recently seen first */
  liveOf (userId: string, cutoff: Date): Promise<Array<{ id: string, lastSeenAt: Date }>>
  /** deletes the sessions last seen before `cutoff`; how many */
  deleteIdleBefore (cutoff: Date): Promise<number>
}

/** the 2025-11-25 task statuses; completed, failed and cancelled are terminal */
export type McpTaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled'

/** A task (tools/call run as one) of an MCP HTTP session: any instance answers tasks/get, result, list and cancel from it. */
export interface McpTaskRecord {
  taskId: string
  /** the MCP HTTP session it belongs to (McpSession.id): no other session sees it */
  sessionId: string
  status: McpTaskStatus
  statusMessage: string | null
  /** ms it is kept, counted from its last change (lastUpdatedAt); null: as long as its session */
  ttl: number | null
  pollInterval: number | null
  createdAt: Date
  lastUpdatedAt: Date
  /** the tools/call result, once completed or failed */
  result: Record<string, unknown> | null
  /** while it has not ended: until when the instance running it vouches for it (renew); past that, abandoned */
  heldUntil: Date | null
}

/** A change of a task that has not ended: its new status, and the result when it ends with one. */
export interface McpTaskChange {
  status: McpTaskStatus
  statusMessage?: string
  result?: Record<string, unknown>
}

export interface McpTaskRepository {
  /** records a new task (its session's record must exist; the task goes with it) */
  create (record: McpTaskRecord): Promise<void>
  /** the task if it is the session's */
  find (taskId: string, sessionId: string): Promise<McpTaskRecord | null>
  /**
   * applies `change` to a task of the session that has not ended, at `at`: false when it has ended (or is
   * not the session's). One statement: of an instance storing the result and another cancelling, one wins.
   */
  transition (taskId: string, sessionId: string, change: McpTaskChange, at: Date): Promise<boolean>
  /** the session's tasks, oldest first, after the task `after` names, at most `limit`; null when `after` names no task of the session */
  list (sessionId: string, after: string | undefined, limit: number): Promise<McpTaskRecord[] | null>
  /** the instance running these tasks still does: each one that has not ended is held until `until` */
  renew (taskIds: string[], until: Date): Promise<void>
  /** applies `change` (an end) to every task not ended whose hold ran out before `now`: its instance died; how many */
  failAbandoned (now: Date, change: McpTaskChange): Promise<number>
  /** deletes the tasks whose ttl ran out (from lastUpdatedAt) before `now`; how many */
  deleteExpired (now: Date): Promise<number>
}
