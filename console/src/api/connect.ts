import { createRest, HttpError, type Rest } from './rest.ts'
import { RpcError, RpcSocket } from './rpc.ts'
import { storedSession, storeSession } from './tab-store.ts'

/** Everything a view needs to talk to the server as the signed-in user. */
export interface Api {
  rpc: RpcSocket
  rest: Rest
  key: string | undefined
  userId: string
  /** the key has the admin scope (or the server has no keys: everyone is the anonymous admin) */
  admin: boolean
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** After a reload the old socket may not have let go of the session yet (session_in_use): ask again shortly. */
async function resume (rpc: RpcSocket, sessionId: string): Promise<void> {
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      await rpc.call('session.resume', { session_id: sessionId })
      return
    } catch (err) {
      if (!(err instanceof RpcError) || err.reason !== 'session_in_use') return
      await pause(250)
    }
  }
}

export const socketUrl = (): string => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/mcp`

/**
 * Signs in: opens the JSON-RPC socket with the key (none: the server must have no keys, as on loopback),
 * takes the tab's session back, asks who we are, and learns the scope from whether the admin API answers.
 */
export async function connect (key: string | undefined): Promise<Api> {
  const rpc = await RpcSocket.connect(socketUrl(), key)
  const rest = createRest(key)
  // the tab's earlier session, if the server still has it and no other socket holds it; else a fresh one
  const earlier = storedSession()
  if (earlier) await resume(rpc, earlier)
  const info = await rpc.call<{ user_id: string, session_id: string }>('session.get_info')
  storeSession(info.session_id)
  const admin = await rest('GET', '/system/status').then(() => true, (err: unknown) => {
    if (err instanceof HttpError && (err.status === 403 || err.status === 401)) return false
    throw err
  })
  return { rpc, rest, key, userId: info.user_id, admin }
}
