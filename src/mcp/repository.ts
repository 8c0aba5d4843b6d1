// The port MCP Streamable HTTP sessions need from a database: enough of each session (whose it is, how it
// was initialised, when it was last used) for any instance on the same database to take it over.

export interface McpSessionParams {
  /** the initialize request's params, as the client sent them */
  protocolVersion: string
  capabilities: Record<string, unknown>
  clientInfo: Record<string, unknown>
}

export interface McpSessionRecord extends McpSessionParams {
  id: string
  userId: string
  createdAt: Date
  lastSeenAt: Date
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
  delete (id: string): Promise<void>
  /** the user's sessions last seen at or after `cutoff`, least recently seen first */
  liveOf (userId: string, cutoff: Date): Promise<Array<{ id: string, lastSeenAt: Date }>>
  /** deletes the sessions last seen before `cutoff`; how many */
  deleteIdleBefore (cutoff: Date): Promise<number>
}
