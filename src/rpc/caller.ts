// Who is calling and in which session: what every face's connection carries (rpc/context.ts). A leaf
// file, so the RPC layer and the domains that read the caller never import each other for it.

/** Who is calling: an API key's user, or the anonymous user when authentication is off. */
export interface UserIdentity {
  readonly id: string
  readonly scope: 'client' | 'admin'
}

/** A conversation session: one per connection, resumable after reconnecting. */
export interface SessionState {
  readonly id: string
  readonly userId: string
  personaId: string | null
  /** the persona-to-persona conversation this session started last (conversation.turn/run/end default to it) */
  conversationId: string | null
}
