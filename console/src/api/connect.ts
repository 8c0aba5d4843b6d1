import { createRest, HttpError, type Rest } from './rest.ts'
import { RpcSocket } from './rpc.ts'

/** Everything a view needs to talk to the server as the signed-in user. */
export interface Api {
  rpc: RpcSocket
  rest: Rest
  key: string | undefined
  userId: string
  /** the key has the admin scope (or the server has no keys: everyone is the anonymous admin) */
  admin: boolean
}

export const socketUrl = (): string => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/mcp`

/**
 * Signs in: opens the JSON-RPC socket with the key (none: the server must have no keys, as on loopback),
 * asks who we are, and learns the scope from whether the admin API answers.
 */
export async function connect (key: string | undefined): Promise<Api> {
  const rpc = await RpcSocket.connect(socketUrl(), key)
  const rest = createRest(key)
  const info = await rpc.call<{ user_id: string }>('session.get_info')
  const admin = await rest('GET', '/system/status').then(() => true, (err: unknown) => {
    if (err instanceof HttpError && (err.status === 403 || err.status === 401)) return false
    throw err
  })
  return { rpc, rest, key, userId: info.user_id, admin }
}
